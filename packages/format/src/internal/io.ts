/**
 * Reads written once as generators that yield the byte ranges they need and receive the bytes back.
 * {@link parallelIo} runs several such readers in lock step so that every step's ranges go to the
 * source together (one I/O round, which an async source can coalesce and run concurrently).
 * {@link sourceTask} turns such a read over a byte source into a {@link Task} of the package's one
 * effect type (../effects), so the same drivers run it blocking or asynchronously.
 */
import { CorruptDataError } from '@vego/encoding';
import type { Effect, Task } from '../effects';
import type { AsyncByteSource, SyncByteSource } from '../source';

/** Byte ranges a step needs: `[byteOffset, byteLength]` pairs. */
export type Ranges = Array<[number, number]>;

/** A read: yields the ranges of each step, receives their bytes (same order), returns `T`. */
export type Io<T> = Generator<Ranges, T, Uint8Array[]>;

/**
 * Runs `readers` together: each step yields the ranges of every reader still running, concatenated;
 * readers with nothing to read in a step do not cost a round. Results in the order of `readers`.
 */
export function* parallelIo<T>(readers: Array<Io<T>>): Io<T[]> {
  const n = readers.length;
  const results: T[] = new Array<T>(n);
  const pending: Array<Ranges | null> = new Array<Ranges | null>(n);
  let running = 0;
  for (let i = 0; i < n; i++) {
    const step = readers[i]!.next([]);
    if (step.done) {
      results[i] = step.value;
      pending[i] = null;
    } else {
      pending[i] = step.value;
      running++;
    }
  }
  while (running > 0) {
    const ranges: Ranges = [];
    for (let i = 0; i < n; i++) {
      const p = pending[i];
      if (p !== null && p !== undefined) for (let k = 0; k < p.length; k++) ranges.push(p[k]!);
    }
    const bufs = ranges.length > 0 ? yield ranges : [];
    let at = 0;
    for (let i = 0; i < n; i++) {
      const p = pending[i];
      if (p === null || p === undefined) continue;
      const mine = bufs.slice(at, at + p.length);
      at += p.length;
      const step = readers[i]!.next(mine);
      if (step.done) {
        results[i] = step.value;
        pending[i] = null;
        running--;
      } else pending[i] = step.value;
    }
  }
  return results;
}

/**
 * The bytes of `ranges` from `source`: blocking through `readSync`, asynchronously through `read`
 * with every range in flight together. Each result is checked to have the length asked for.
 */
export function readRangesEffect(source: Partial<SyncByteSource & AsyncByteSource>, ranges: Ranges): Effect<Uint8Array[]> {
  return {
    sync: () => ranges.map(([o, l]) => checked(source.readSync!(o, l), o, l)),
    async: () => Promise.all(ranges.map(async ([o, l]) => checked(await source.read!(o, l), o, l))),
  };
}

/** Runs `io` against `source` as a task: each step's ranges are one {@link readRangesEffect}. */
export function* sourceTask<T>(io: Io<T>, source: Partial<SyncByteSource & AsyncByteSource>): Task<T> {
  let step = io.next([]);
  // The effect is yielded directly (not through `perform`): one generator fewer per I/O step.
  while (!step.done) step = io.next((yield readRangesEffect(source, step.value)) as Uint8Array[]);
  return step.value;
}

/** `b` after checking it has the `length` a read of `length` bytes at `offset` asked for. */
export function checked(b: Uint8Array, offset: number, length: number): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== length) {
    throw new CorruptDataError(`source returned ${b instanceof Uint8Array ? b.length : typeof b} bytes for a read of ${length} bytes at ${offset}`);
  }
  return b;
}
