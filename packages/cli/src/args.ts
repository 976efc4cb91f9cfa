/**
 * A small argv parser: `--name value`, `--name=value`, boolean `--flag`, `-h`, and positionals.
 * Unknown options are errors, so a typo never silently falls back to a default.
 *
 * Why not `node:util` `parseArgs`: in strict mode it refuses an option value that starts with `-`
 * (`--vector -0.5,1` is "ambiguous" there), and vectors are full of negative numbers; it also has no
 * options whose value is optional (`--recall` or `--recall=truth.ivecs`) nor aliases.
 */
import { InvalidArgumentError } from '@vego/db';

/** How one option is read. */
export interface OptionSpec {
  /** `string` takes a value; `boolean` is a flag. */
  kind: 'string' | 'boolean';
  /** One-letter alias, without the dash. */
  short?: string;
  /** This option is another name for that one (kept for compatibility); values land under that name. */
  aliasOf?: string;
  /**
   * For a `boolean` option that may also carry a value: `--name=value`, or `--name value` when the
   * next argument ends in one of these extensions (e.g. `--recall truth.ivecs`). The value is stored
   * as a string; the bare flag as `true`.
   */
  valueExtensions?: readonly string[];
}

/** Parsed command line. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | boolean>;
}

/**
 * Parses `argv` (without the node and script entries) against `spec`.
 * @throws InvalidArgumentError for unknown options or a missing value.
 */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | boolean>();
  const byShort = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.short) byShort.set(s.short, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (arg.length === 2 && arg[0] === '-' && arg[1] !== '-') {
      name = byShort.get(arg[1]!);
      if (name === undefined) throw new InvalidArgumentError(`unknown option \`${arg}\``);
    } else {
      positionals.push(arg);
      continue;
    }
    const s = spec[name];
    if (!s) throw new InvalidArgumentError(`unknown option \`--${name}\``);
    const given = name;
    if (s.aliasOf !== undefined) name = s.aliasOf;
    if (s.kind === 'boolean') {
      const exts = s.valueExtensions;
      if (exts !== undefined) {
        const next = argv[i + 1];
        if (inline !== undefined) options.set(name, inline);
        else if (next !== undefined && exts.some((e) => next.toLowerCase().endsWith(e))) options.set(name, argv[++i]!);
        else options.set(name, true);
        continue;
      }
      if (inline !== undefined) throw new InvalidArgumentError(`option \`--${given}\` takes no value`);
      options.set(name, true);
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new InvalidArgumentError(`option \`--${given}\` needs a value`);
      }
      options.set(name, value);
    }
  }
  return { positionals, options };
}

/**
 * Refuses positionals beyond the `names` a command takes, so `vego build a.npy --out ix extra` is an
 * error instead of `extra` being silently ignored.
 * @throws InvalidArgumentError naming the first extra argument and what the command takes.
 */
export function checkPositionals(args: ParsedArgs, command: string, names: readonly string[]): void {
  if (args.positionals.length <= names.length) return;
  const extra = args.positionals[names.length]!;
  const takes = names.length === 0 ? 'no positional arguments' : names.map((n) => `<${n}>`).join(' ');
  throw new InvalidArgumentError(`unexpected argument '${extra}': vego ${command} takes ${takes} (options start with --)`);
}

/** A string option, or `fallback`. */
export function stringOption(args: ParsedArgs, name: string, fallback: string): string;
export function stringOption(args: ParsedArgs, name: string): string | undefined;
export function stringOption(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : fallback;
}

/**
 * An integer option within [min, max], or `fallback`.
 * @throws InvalidArgumentError naming the option when the value is not such an integer.
 */
export function intOption(args: ParsedArgs, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`\`--${name}\` must be an integer from ${min} to ${max}, got ${String(v)}`);
  }
  return n;
}

/** True when a boolean flag was given. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}
