import { parseArgs } from '@vego/cli';
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
});
