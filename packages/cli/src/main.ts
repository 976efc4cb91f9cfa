/**
 * The `vego` command: dispatch, help, and the rule that a bad input ends in one line on stderr and a
 * non-zero exit (1 for errors, 2 for usage), never a stack trace.
 */
import { isVegoError } from '@vego/db';
import { type OptionSpec, checkPositionals, parseArgs } from './args';
import { PROCESS_IO, type CommandIo } from './command';
import { BENCH_HELP, BENCH_OPTIONS, bench } from './commands/bench';
import { BUILD_HELP, BUILD_OPTIONS, build } from './commands/build';
import { INSPECT_HELP, INSPECT_OPTIONS, inspect } from './commands/inspect';
import { SEARCH_HELP, SEARCH_OPTIONS, search } from './commands/search';
import { cliVersion } from './version';

/** Top-level help. */
export const USAGE = `vego: embedded vector search and Lance files

Usage:
  vego build <input> --out <dir>       build an index from .fvecs/.npy/JSON lines and save it
  vego search <index-dir> --query <f>   nearest neighbours from a saved index
  vego inspect <path>                   a Lance file, dataset or saved index: schema, pages, versions
  vego bench [--base <file>]            recall, QPS and latency over a sweep of ef
  vego <command> --help                 help for one command
  vego --version                        the version of vego
`;

interface Command {
  help: string;
  /** Names of the positional arguments the command takes (more are refused). */
  positionals: readonly string[];
  options: Readonly<Record<string, OptionSpec>>;
  run: (args: ReturnType<typeof parseArgs>, io: CommandIo) => Promise<void>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  build: { help: BUILD_HELP, positionals: ['input'], options: BUILD_OPTIONS, run: build },
  search: { help: SEARCH_HELP, positionals: ['index-dir'], options: SEARCH_OPTIONS, run: search },
  inspect: { help: INSPECT_HELP, positionals: ['path'], options: INSPECT_OPTIONS, run: inspect },
  bench: { help: BENCH_HELP, positionals: [], options: BENCH_OPTIONS, run: bench },
};

const HELP_OPTION: OptionSpec = { kind: 'boolean', short: 'h' };

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code.
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`${cliVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`vego: unknown command '${name}' (try: vego --help)\n`);
    return 2;
  }
  try {
    const args = parseArgs(rest, { ...command.options, help: HELP_OPTION });
    if (args.options.get('help') === true) {
      io.out(command.help);
      return 0;
    }
    checkPositionals(args, name, command.positionals);
    await command.run(args, io);
    return 0;
  } catch (e) {
    if (isVegoError(e)) {
      io.err(`vego ${name}: ${e.message} [${e.code}]\n`);
      return e.code === 'VEGO_INVALID_ARGUMENT' ? 2 : 1;
    }
    // Anything else is a bug in Vego; still one line, with a hint to report it.
    io.err(`vego ${name}: unexpected error: ${(e as Error)?.message ?? String(e)} (please report this)\n`);
    return 1;
  }
}
