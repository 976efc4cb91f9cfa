#!/usr/bin/env node
/** Entry point of the `vego` executable. */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`vego: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
