/**
 * Coalescing, bounded-concurrency scheduler for positional reads.
 *
 * Requests are not issued one by one. They wait in `pending` until an in-flight slot is free (and at
 * least until the end of the current macrotask, via `setImmediate`), then all waiting requests are
 * sorted by position and merged: a request joins the previous group when it starts no more than
 * `coalesceGapBytes` after that group's end, the group stays under `maxMergedBytes`, and a gap over
 * 16 KiB is no wider than the bytes the group and the request want. Overlapping
 * and duplicate requests therefore cost one read. Each group is read into one fresh buffer, in chunks
 * of at most `chunkBytes` issued in parallel into that same buffer, and every request receives a
 * view (subarray) of it: nothing is copied. At most `maxInFlight` chunk reads run at once, which
 * keeps the libuv thread pool (4 threads by default) busy without queueing behind itself.
 */
import { allocBytes } from './range-check';

/** Runs `f` after the current macrotask: `setImmediate` under Node, a zero timeout in browsers. */
const defer: (f: () => void) => unknown =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function' ? (f) => setImmediate(f) : (f) => setTimeout(f, 0);

/** Gaps up to this size are always read through (within `coalesceGapBytes`); wider ones only when as many bytes are wanted. */
const SMALL_GAP_BYTES = 16 * 1024;

/** Fills `target` with the bytes at `position` (completely, or rejects). */
export type ReadFully = (target: Uint8Array, position: number) => Promise<void>;

/** Fills `targets`, in order, with the consecutive bytes from `position` on (completely, or rejects). */
export type ReadScatterFully = (targets: readonly Uint8Array[], position: number) => Promise<void>;

/** Tuning of a {@link ReadScheduler}. */
export interface ReadSchedulerOptions {
  maxInFlight: number;
  /**
   * Merged reads are cut into `chunkBytes` chunks only while fewer reads than this wait (default
   * `maxInFlight`): enough whole reads keep the reading threads busy by themselves.
   */
  splitBelowReads?: number;
  coalesceGapBytes: number;
  maxMergedBytes: number;
  chunkBytes: number;
}

/** Counters of a scheduler. */
export interface ReadSchedulerStats {
  /** Calls to `request`. */
  requests: number;
  /** Reads issued to the file (chunks). */
  fileReads: number;
  /** Bytes read from the file, gaps included. */
  bytesRead: number;
  /** Highest number of chunk reads in flight at once. */
  peakInFlight: number;
  /** Highest number of bytes in buffers being filled at once. */
  peakInFlightBytes: number;
}

interface Request {
  position: number;
  length: number;
  resolve: (bytes: Uint8Array) => void;
  reject: (error: unknown) => void;
}

interface Group {
  start: number;
  end: number;
  /** Bytes the members asked for (overlaps counted twice): what a gap is weighed against. */
  wanted: number;
  members: Request[];
  buffer: Uint8Array | null;
  remaining: number;
  failed: boolean;
  /** For a scatter read: settles it (the group has no members and no buffer of its own). */
  scatter: { resolve: () => void; reject: (error: unknown) => void } | null;
}

interface Chunk {
  group: Group;
  offsetInGroup: number;
  length: number;
  /** For a piece of a scatter read: where its bytes go (else they go to the group's buffer). */
  targets: readonly Uint8Array[] | null;
}

export class ReadScheduler {
  private readonly readFully: ReadFully;
  private readonly options: ReadSchedulerOptions;
  private pending: Request[] = [];
  /** Scatter reads waiting: each is a group of its own (never merged). */
  private pendingScatter: Array<{ group: Group; targets: readonly Uint8Array[] }> = [];
  private readonly queue: Chunk[] = [];
  private queueHead = 0;
  private inFlight = 0;
  private inFlightBytes = 0;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: ReadSchedulerStats = {
    requests: 0,
    fileReads: 0,
    bytesRead: 0,
    peakInFlight: 0,
    peakInFlightBytes: 0,
  };

  private readonly readScatterFully: ReadScatterFully | null;

  constructor(readFully: ReadFully, options: ReadSchedulerOptions, readScatterFully: ReadScatterFully | null = null) {
    this.readFully = readFully;
    this.options = options;
    this.readScatterFully = readScatterFully;
  }

  /** Whether {@link ReadScheduler.requestScatter} is available (the source gave a scatter read). */
  get canScatter(): boolean {
    return this.readScatterFully !== null;
  }

  /**
   * Queues a scatter read: the `byteLength` bytes at `position` go, in order, into `targets` (whose
   * lengths add up to `byteLength`). It is never merged with other requests (its bytes have their
   * places already); while few reads wait it is cut into pieces of about `chunkBytes` that run in
   * parallel like the chunks of a merged read, within the same in-flight bound.
   */
  requestScatter(position: number, byteLength: number, targets: readonly Uint8Array[]): Promise<void> {
    this.counters.requests++;
    return new Promise<void>((resolve, reject) => {
      if (byteLength === 0) {
        resolve();
        return;
      }
      const group: Group = { start: position, end: position + byteLength, wanted: byteLength, members: [], buffer: null, remaining: 0, failed: false, scatter: { resolve, reject } };
      this.pendingScatter.push({ group, targets });
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        defer(this.pumpNow);
      }
    });
  }

  /** Queues a read; resolves with a view of a buffer shared with coalesced neighbours. */
  request(position: number, length: number): Promise<Uint8Array> {
    this.counters.requests++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.push({ position, length, resolve, reject });
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        defer(this.pumpNow);
      }
    });
  }

  /** A snapshot of the counters. */
  stats(): ReadSchedulerStats {
    return { ...this.counters };
  }

  /** Resolves once nothing is pending or in flight. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.pending.length === 0 && this.pendingScatter.length === 0 && this.queueHead >= this.queue.length;
  }

  private readonly pumpNow = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };

  private pump(): void {
    const max = this.options.maxInFlight;
    while (this.inFlight < max) {
      if (this.queueHead >= this.queue.length) {
        this.queue.length = 0;
        this.queueHead = 0;
        if (this.pending.length === 0 && this.pendingScatter.length === 0) break;
        this.formGroups();
      }
      const chunk = this.queue[this.queueHead++]!;
      this.dispatch(chunk);
    }
    if (this.isIdle() && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private formGroups(): void {
    const reqs = this.pending;
    this.pending = [];
    reqs.sort((a, b) => a.position - b.position);
    const { coalesceGapBytes, maxMergedBytes, chunkBytes } = this.options;
    let group: Group | null = null;
    const groups: Group[] = [];
    for (const r of reqs) {
      const rEnd = r.position + r.length;
      // Overlapping requests always share one buffer (that reads fewer bytes than two buffers would);
      // neighbours separated by a small gap share one only while the group stays small, because a
      // large merged buffer saves no system calls worth having and costs fresh, unrecycled memory.
      // A gap wider than SMALL_GAP_BYTES is read through only when the group and the request want at least
      // as many bytes as the gap costs: two tiny reads far apart (e.g. the chunk tables of two columns on
      // either side of a column's data) stay two reads instead of one that is nearly all gap.
      if (
        group !== null &&
        (r.position < group.end ||
          (r.position <= group.end + coalesceGapBytes &&
            Math.max(group.end, rEnd) - group.start <= maxMergedBytes &&
            (r.position - group.end <= SMALL_GAP_BYTES || r.position - group.end <= group.wanted + r.length)))
      ) {
        group.members.push(r);
        group.wanted += r.length;
        if (rEnd > group.end) group.end = rEnd;
      } else {
        group = { start: r.position, end: rEnd, wanted: r.length, members: [r], buffer: null, remaining: 0, failed: false, scatter: null };
        groups.push(group);
      }
    }
    const scatters = this.pendingScatter;
    this.pendingScatter = [];
    // Reads are cut into chunks only to keep the reading threads busy: when at least `splitBelowReads`
    // reads wait anyway, each goes whole (more, smaller reads only cost calls and event-loop turns; 8
    // concurrent 8 MB column reads took ~1.2-1.5x as long when cut into 1 MiB chunks, interleaved rounds).
    const split = groups.length + scatters.length < (this.options.splitBelowReads ?? this.options.maxInFlight);
    for (const { group, targets } of scatters) {
      const pieces = split ? scatterPieces(targets, chunkBytes) : [targets.filter((t) => t.byteLength > 0)];
      group.remaining = pieces.length;
      let at = 0;
      for (const piece of pieces) {
        let n = 0;
        for (const t of piece) n += t.byteLength;
        this.queue.push({ group, offsetInGroup: at, length: n, targets: piece });
        at += n;
      }
    }
    for (const g of groups) {
      const total = g.end - g.start;
      if (total === 0) {
        for (const m of g.members) m.resolve(new Uint8Array(0));
        continue;
      }
      const n = split ? Math.ceil(total / chunkBytes) : 1;
      const pieceBytes = split ? chunkBytes : total;
      g.remaining = n;
      for (let i = 0; i < n; i++) {
        const offsetInGroup = i * pieceBytes;
        this.queue.push({ group: g, offsetInGroup, length: Math.min(pieceBytes, total - offsetInGroup), targets: null });
      }
    }
  }

  private dispatch(chunk: Chunk): void {
    const g = chunk.group;
    if (g.failed) {
      this.pump();
      return;
    }
    if (g.buffer === null && chunk.targets === null) {
      try {
        g.buffer = allocBytes(g.end - g.start);
      } catch (e) {
        this.fail(g, e);
        return;
      }
    }
    this.inFlight++;
    this.inFlightBytes += chunk.length;
    const c = this.counters;
    c.fileReads++;
    c.bytesRead += chunk.length;
    if (this.inFlight > c.peakInFlight) c.peakInFlight = this.inFlight;
    if (this.inFlightBytes > c.peakInFlightBytes) c.peakInFlightBytes = this.inFlightBytes;
    const position = g.start + chunk.offsetInGroup;
    const read =
      chunk.targets !== null
        ? this.readScatterFully!(chunk.targets, position)
        : this.readFully(g.buffer!.subarray(chunk.offsetInGroup, chunk.offsetInGroup + chunk.length), position);
    read.then(
      () => {
        this.finishChunk(chunk);
        if (!g.failed && --g.remaining === 0) {
          if (g.scatter !== null) g.scatter.resolve();
          const buf = g.buffer!;
          for (const m of g.members) m.resolve(buf.subarray(m.position - g.start, m.position - g.start + m.length));
        }
        this.pump();
      },
      (e: unknown) => {
        this.finishChunk(chunk);
        this.fail(g, e);
        this.pump();
      },
    );
  }

  private finishChunk(chunk: Chunk): void {
    this.inFlight--;
    this.inFlightBytes -= chunk.length;
  }

  private fail(g: Group, e: unknown): void {
    if (g.failed) return;
    g.failed = true;
    if (g.scatter !== null) g.scatter.reject(e);
    for (const m of g.members) m.reject(e);
  }
}

/**
 * `targets` cut into pieces of about `chunkBytes` (whole targets while they fit; a target longer than that
 * is cut into views), empty targets left out.
 */
function scatterPieces(targets: readonly Uint8Array[], chunkBytes: number): Uint8Array[][] {
  const pieces: Uint8Array[][] = [];
  let piece: Uint8Array[] = [];
  let bytes = 0;
  for (const t of targets) {
    let off = 0;
    while (off < t.byteLength) {
      const n = Math.min(t.byteLength - off, chunkBytes - bytes);
      piece.push(off === 0 && n === t.byteLength ? t : t.subarray(off, off + n));
      off += n;
      bytes += n;
      if (bytes >= chunkBytes) {
        pieces.push(piece);
        piece = [];
        bytes = 0;
      }
    }
  }
  if (piece.length > 0) pieces.push(piece);
  return pieces;
}
