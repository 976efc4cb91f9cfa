#!/usr/bin/env node
// `pnpm release`: builds (through turbo) and publishes every package under packages/ with npm
// provenance (`pnpm publish -r --provenance`: versions already in the registry are skipped), then
// tags the released versions (`changeset tag`). Run it after `pnpm changeset version` has bumped the
// versions and written the CHANGELOGs, from CI with an id-token (provenance needs one).
//
// `pnpm release --dry-run` packs and checks everything the real run would publish without talking
// to the registry (`--force` skips the "already published?" query, so it works offline); CI runs it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dryRun = process.argv.includes('--dry-run');

function sh(cmd, args) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

sh('pnpm', ['build']);
const publish = ['publish', '-r', '--filter', './packages/*', '--access', 'public', '--provenance'];
if (dryRun) {
  sh('pnpm', [...publish, '--dry-run', '--force', '--no-git-checks']);
} else {
  sh('pnpm', publish);
  sh('pnpm', ['changeset', 'tag']);
}
