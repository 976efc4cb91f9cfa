#!/usr/bin/env node
/** Entry point of the `vego` executable. */
import { main } from './main';

// `vego inspect x | head` closes our stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`vego: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
