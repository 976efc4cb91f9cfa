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

/**
 * A scatter range: the `byteLength` bytes at `byteOffset` go, in order, into `targets` (whose lengths add
 * up to `byteLength`) instead of coming back as bytes; its slot in a step's results is an empty array.
 */
export type ScatterRange = [byteOffset: number, byteLength: number, targets: readonly Uint8Array[]];

/** Byte ranges a step needs: `[byteOffset, byteLength]` pairs, or scatter ranges ({@link ScatterRange}). */
export type Ranges = Array<[number, number] | ScatterRange>;

const NO_BYTES = new Uint8Array(0);

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
    sync: () => ranges.map((r) => (r.length === 3 ? scatterSync(source, r) : checked(source.readSync!(r[0], r[1]), r[0], r[1]))),
    async: () => Promise.all(ranges.map(async (r) => (r.length === 3 ? scatterAsync(source, r) : checked(await source.read!(r[0], r[1]), r[0], r[1])))),
  };
}

/** Checks that a scatter range's targets add up to its length. */
function checkScatter(r: ScatterRange): void {
  let n = 0;
  for (const t of r[2]) n += t.byteLength;
  if (n !== r[1]) throw new CorruptDataError(`scatter read of ${r[1]} bytes at ${r[0]} into targets of ${n} bytes`);
}

/** Copies `bytes` into `targets` in order (the fallback for sources without scatter reads). */
function copyOut(bytes: Uint8Array, targets: readonly Uint8Array[]): void {
  let at = 0;
  for (const t of targets) {
    t.set(bytes.subarray(at, at + t.byteLength));
    at += t.byteLength;
  }
}

function scatterSync(source: Partial<SyncByteSource>, r: ScatterRange): Uint8Array {
  checkScatter(r);
  if (r[1] === 0) return NO_BYTES;
  if (source.readScatterSync !== undefined) source.readScatterSync(r[0], r[2]);
  else copyOut(checked(source.readSync!(r[0], r[1]), r[0], r[1]), r[2]);
  return NO_BYTES;
}

async function scatterAsync(source: Partial<AsyncByteSource>, r: ScatterRange): Promise<Uint8Array> {
  checkScatter(r);
  if (r[1] === 0) return NO_BYTES;
  if (source.readScatter !== undefined) await source.readScatter(r[0], r[2]);
  else copyOut(checked(await source.read!(r[0], r[1]), r[0], r[1]), r[2]);
  return NO_BYTES;
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
