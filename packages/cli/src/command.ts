/** What a command may touch besides its arguments: output streams, so tests can capture them. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** The stream progress bars draw on. */
  errStream: NodeJS.WriteStream;
}

/** The real process streams. */
export const PROCESS_IO: CommandIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  errStream: process.stderr,
};
