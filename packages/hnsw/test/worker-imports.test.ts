// A pool worker (search-worker.js, which also runs builds) must start cheaply: it needs the error
// classes, not all of @vego/io (which loads format, encoding and arrow: ~80 ms per worker). It takes
// them from the `errors` entries each tier passes on (`@vego/io/errors` → … → `@vego/arrow/errors`),
// which must be the very classes of the packages' faces. Runs the built dist/ (`pnpm build` first).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const dist = join(__dirname, '..', 'dist');

function run(script: string): string {
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000, cwd: join(__dirname, '..') });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

describe('the pool worker script', () => {
  it('loads without the faces of @vego/io, format, encoding or arrow', () => {
    const out = run(
      [
        `require(${JSON.stringify(join(dist, 'internal', 'search-worker.js'))});`,
        'const faces = Object.keys(require.cache).filter((f) => /packages[\\\\/](io|format|encoding|arrow)[\\\\/]dist[\\\\/]index\\.js$/.test(f));',
        'const errors = Object.keys(require.cache).filter((f) => /packages[\\\\/](io|format|encoding|arrow)[\\\\/]dist[\\\\/]errors\\.js$/.test(f));',
        'console.log(JSON.stringify({ faces: faces.length, errors: errors.length }));',
      ].join('\n'),
    );
    expect(JSON.parse(out)).toEqual({ faces: 0, errors: 4 });
  });

  it('the errors entries hold the classes of the faces (CommonJS and ES modules)', () => {
    const names = ['ResourceExhaustedError', 'InternalError', 'VegoError', 'isVegoError', 'ErrorCode'];
    const cjs = run(
      [
        "const face = require('@vego/io');",
        "const errors = require('@vego/io/errors');",
        `console.log(${JSON.stringify(names)}.every((n) => errors[n] !== undefined && errors[n] === face[n]));`,
      ].join('\n'),
    );
    expect(cjs).toBe('true');
    const result = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "import * as face from '@vego/io';",
          "import * as errors from '@vego/io/errors';",
          `console.log(${JSON.stringify(names)}.every((n) => errors[n] !== undefined && errors[n] === face[n]));`,
        ].join('\n'),
      ],
      { encoding: 'utf8', timeout: 60_000, cwd: join(__dirname, '..') },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('true');
  });
});
