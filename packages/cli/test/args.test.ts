import { checkPositionals, parseArgs } from '@vego/cli';
import { ErrorCode } from '@vego/hnsw';

const SPEC = { out: { kind: 'string' }, k: { kind: 'string', short: 'k' }, json: { kind: 'boolean' } } as const;

describe('parseArgs', () => {
  it('reads positionals, --name value, --name=value, short options and flags', () => {
    const a = parseArgs(['in.fvecs', '--out', 'dir', '-k', '5', '--json', 'more'], SPEC);
    expect(a.positionals).toEqual(['in.fvecs', 'more']);
    expect(a.options.get('out')).toBe('dir');
    expect(a.options.get('k')).toBe('5');
    expect(a.options.get('json')).toBe(true);
    expect(parseArgs(['--out=x=y'], SPEC).options.get('out')).toBe('x=y');
    expect(parseArgs(['--', '--json'], SPEC).positionals).toEqual(['--json']);
  });

  it('rejects unknown options and missing values with InvalidArgumentError', () => {
    expect(() => parseArgs(['--nope'], SPEC)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT, message: 'unknown option `--nope`' }));
    expect(() => parseArgs(['--out'], SPEC)).toThrow('option `--out` needs a value');
    expect(() => parseArgs(['--out', '--json'], SPEC)).toThrow('option `--out` needs a value');
    expect(() => parseArgs(['--json=1'], SPEC)).toThrow('option `--json` takes no value');
    expect(() => parseArgs(['-x'], SPEC)).toThrow('unknown option `-x`');
  });

  it('stores an alias under its main name and names the alias the user typed in errors', () => {
    const spec = { limit: { kind: 'string' }, 'num-queries': { kind: 'string', aliasOf: 'limit' } } as const;
    expect(parseArgs(['--num-queries', '7'], spec).options.get('limit')).toBe('7');
    expect(parseArgs(['--num-queries=8'], spec).options.get('limit')).toBe('8');
    expect(() => parseArgs(['--num-queries'], spec)).toThrow('option `--num-queries` needs a value');
  });

  it('reads a flag with an optional value: bare, inline, or a next argument with a listed extension', () => {
    const spec = { recall: { kind: 'boolean', valueExtensions: ['.ivecs'] } } as const;
    expect(parseArgs(['ix', '--recall'], spec).options.get('recall')).toBe(true);
    expect(parseArgs(['--recall=gt.ivecs'], spec).options.get('recall')).toBe('gt.ivecs');
    const a = parseArgs(['--recall', 'GT.IVECS', 'ix'], spec);
    expect([a.options.get('recall'), a.positionals]).toEqual(['GT.IVECS', ['ix']]);
    const b = parseArgs(['--recall', 'ix'], spec);
    expect([b.options.get('recall'), b.positionals]).toEqual([true, ['ix']]);
  });

  it('checkPositionals refuses arguments beyond those a command takes', () => {
    expect(() => checkPositionals(parseArgs(['a', 'b'], SPEC), 'build', ['input'])).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT, message: "unexpected argument 'b': vego build takes <input> (options start with --)" }),
    );
    expect(() => checkPositionals(parseArgs(['a'], SPEC), 'build', ['input'])).not.toThrow();
    expect(() => checkPositionals(parseArgs([], SPEC), 'build', ['input'])).not.toThrow();
  });
});
