/** The version of @vego/cli, read from its own package.json (the one source of truth). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The installed @vego/cli version. Looks upward from this file for the package.json named
 * `@vego/cli`: it sits one level up from `dist/` and `src/`, two from `dist/esm/`.
 * @returns the version string, or `unknown` when no such package.json is found.
 */
export function cliVersion(): string {
  if (cached !== undefined) return cached;
  for (let up = 0, dir = __dirname; up < 4; up++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@vego/cli' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // not there: keep looking upward
    }
  }
  return (cached = 'unknown');
}
