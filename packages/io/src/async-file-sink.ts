/**
 * An append-only file written in the background with `FileHandle.write` (libuv's thread pool), for
 * producers that must not block the event loop. Implements @vego/format's `ByteSink`, whose `write`
 * is synchronous: every write is copied into the sink's own gather buffers (`bufferBytes`, 1 MiB by
 * default), and each full buffer is queued and written at its position in the file, one at a time
 * and in order, while the caller carries on. The queue grows as fast as the producer writes, so a
 * producer bounds it with {@link AsyncFileSink.drained} (back-pressure). A failed write is kept and
 * thrown by the next `write`, `drained`, `flush`, `sync` or `close`; the file handle is closed by
 * `close` (which rejects with that error) or `abort` either way.
 */
import * as fsp from 'node:fs/promises';
import { InvalidArgumentError } from '@vego/format';
import type { ByteSink, VegoError } from '@vego/format';
import { fsError } from './internal/fs-error';
import { writeAllAt } from './internal/fs-effects';

/** Options of {@link AsyncFileSink.create}. */
export interface AsyncFileSinkOptions {
  /** Fail with IoError (code EEXIST in `cause`) if the file exists, instead of truncating it. Default false. */
  exclusive?: boolean;
  /**
   * Writes are gathered into buffers of this many bytes, one file write each. Default 1 MiB; 0
   * queues a copy of every write on its own.
   */
  bufferBytes?: number;
}

const DEFAULT_BUFFER_BYTES = 1024 * 1024;
/**
 * Size of a sink's first gather buffer; each one that fills makes the next twice as large, up to
 * `bufferBytes`. A small file (a manifest-sized data file) then allocates 64 KiB, not 1 MiB: a
 * dataset commit makes a sink per data file, and a megabyte per small file was garbage enough to
 * set off extra full collections in every async index save.
 */
const FIRST_GATHER_BYTES = 64 * 1024;
/** Written gather buffers kept for reuse; more are left to the garbage collector. */
const SPARE_BUFFERS = 4;

/** A caller of {@link AsyncFileSink.drained} waiting for the queue to shrink to `byteLength`. */
interface Waiter {
  byteLength: number;
  resolve: () => void;
  reject: (error: VegoError) => void;
}

function sinkClosed(path: string, what: string): VegoError {
  return fsError(new Error(`the sink is ${what}`), 'write', path);
}

/**
 * A file being written from the start, append-only, without blocking the event loop.
 * @example
 * ```ts
 * const sink = await AsyncFileSink.create('/tmp/out.lance', { exclusive: true });
 * const writer = new LanceFileWriter(sink, schema);
 * for (const batch of batches) {
 *   writer.write(batch);          // encodes here; the bytes are written in the background
 *   await sink.drained(8 << 20);  // back-pressure: at most 8 MiB waiting
 * }
 * writer.finish();
 * await sink.close({ sync: true }); // everything written and fsynced
 * ```
 */
export class AsyncFileSink implements ByteSink {
  /** The path given to {@link AsyncFileSink.create}. */
  readonly path: string;
  private handle: fsp.FileHandle | null;
  private readonly bufferBytes: number;
  /** False once `close` or `abort` began: later writes throw. */
  private accepting = true;
  private closing: Promise<void> | null = null;
  /** Bytes accepted by `write`. */
  private written = 0;
  /** The buffer being filled, and how much of it is. */
  private gather: Uint8Array | null = null;
  private gathered = 0;
  /** Buffers waiting to be written (the first one may be in flight), their bytes, and where the first goes. */
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private filePosition = 0;
  /** The background loop writing the queue, while it runs. */
  private draining: Promise<void> | null = null;
  private writing = false;
  private aborted = false;
  private failure: VegoError | null = null;
  private waiters: Waiter[] = [];
  /** Size of the next gather buffer (see {@link FIRST_GATHER_BYTES}). */
  private gatherBytes: number;
  /** Written gather buffers of `gatherBytes`, for reuse. */
  private readonly spare: Uint8Array[] = [];
  /**
   * The gather buffers this sink allocated: the only ones it reuses. Buffers given to `writeOwned`
   * may be views of the caller's data (a dataset commit's input), which the sink must never write into.
   */
  private readonly own = new WeakSet<Uint8Array>();

  private constructor(path: string, handle: fsp.FileHandle, bufferBytes: number) {
    this.path = path;
    this.handle = handle;
    this.bufferBytes = bufferBytes;
    this.gatherBytes = Math.min(bufferBytes, FIRST_GATHER_BYTES);
  }

  /**
   * Creates (or truncates) a file for writing (opened on the thread pool).
   * @throws (rejects with) InvalidArgumentError for a bad `bufferBytes`; NotFoundError when the
   *   directory does not exist; IoError when the file exists and `exclusive` is set, or it cannot be
   *   created (permissions, …).
   */
  static async create(path: string, options: AsyncFileSinkOptions = {}): Promise<AsyncFileSink> {
    const bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    if (!Number.isSafeInteger(bufferBytes) || bufferBytes < 0) {
      throw new InvalidArgumentError(`\`bufferBytes\` must be a non-negative integer, got ${bufferBytes}`);
    }
    try {
      return new AsyncFileSink(path, await fsp.open(path, options.exclusive === true ? 'wx' : 'w'), bufferBytes);
    } catch (e) {
      throw fsError(e, 'create', path);
    }
  }

  /** Bytes written so far (those still gathered or queued included). */
  get byteLength(): number {
    return this.written;
  }

  /** Bytes in full buffers waiting to be written or being written (not those still being gathered). */
  get queuedBytes(): number {
    return this.queued;
  }

  /**
   * Appends bytes: copies them into the sink's buffers before returning (so the caller may reuse
   * `bytes` at once) and writes them in the background.
   * @throws IoError when the sink is closed or aborted, or an earlier background write failed (that error).
   */
  write(bytes: Uint8Array): void {
    this.checkWritable();
    const n = bytes.byteLength;
    if (n === 0) return;
    if (this.bufferBytes === 0) {
      this.enqueue(bytes.slice());
    } else {
      for (let done = 0; done < n; ) {
        if (this.gather === null) this.startGather();
        const gather = this.gather!;
        const take = Math.min(n - done, gather.byteLength - this.gathered);
        gather.set(take === n ? bytes : bytes.subarray(done, done + take), this.gathered);
        this.gathered += take;
        done += take;
        if (this.gathered === gather.byteLength) {
          this.queueGathered();
          this.gatherBytes = Math.min(this.bufferBytes, 2 * this.gatherBytes);
        }
      }
    }
    this.written += n;
  }

  /**
   * Appends bytes that stay unchanged until written (see @vego/format's `ByteSink.writeOwned`): buffers
   * of at least `bufferBytes` are queued as they are, after what is gathered so far, instead of being
   * copied (and never reused as gather buffers: they may be a caller's memory); smaller ones are gathered
   * like {@link AsyncFileSink.write}. The caller must not change `bytes` until the sink has written them.
   * @throws IoError when the sink is closed or aborted, or an earlier background write failed (that error).
   */
  writeOwned(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    if (n === 0 || n < this.bufferBytes) {
      this.write(bytes);
      return;
    }
    this.checkWritable();
    // What is gathered goes first: the queue is written in order, each buffer right after the one before.
    this.queueGathered();
    this.enqueue(bytes);
    this.written += n;
  }

  /**
   * Resolves once at most `byteLength` bytes (default 0) wait in the queue: await it between
   * writes to bound the memory a fast producer holds. Bytes still being gathered (less than one
   * buffer) are not queued until {@link AsyncFileSink.flush}.
   * @throws (rejects with) the IoError of a failed background write; InvalidArgumentError for a bad `byteLength`.
   */
  drained(byteLength = 0): Promise<void> {
    if (!Number.isSafeInteger(byteLength) || byteLength < 0) {
      return Promise.reject(new InvalidArgumentError(`\`byteLength\` must be a non-negative integer, got ${byteLength}`));
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.queued <= byteLength) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiters.push({ byteLength, resolve, reject }));
  }

  /**
   * Writes everything accepted so far to the file (no fsync) and resolves when it is there.
   * @throws (rejects with) IoError when a write fails (with the path) or the sink is closed.
   */
  async flush(): Promise<void> {
    this.checkWritable();
    await this.flushAll();
  }

  /**
   * Flushes and fsyncs: once this resolves, the bytes written so far survive a crash.
   * @throws (rejects with) IoError when a write or the fsync fails, or the sink is closed.
   */
  async sync(): Promise<void> {
    this.checkWritable();
    await this.flushAll();
    await this.fsync();
  }

  /**
   * Flushes (and with `sync: true` fsyncs) and closes the file. The handle is closed even when
   * this rejects. Calling it again waits for the first close and does not throw.
   * @throws (rejects with) IoError (with the path) when a write, including an earlier background
   *   one, or the fsync failed: the file is then incomplete.
   */
  close(options: { sync?: boolean } = {}): Promise<void> {
    if (this.aborted) return Promise.resolve();
    if (this.closing !== null) return this.closing.catch(() => undefined);
    this.accepting = false;
    this.closing = this.closeOnce(options.sync === true);
    return this.closing;
  }

  /**
   * Drops what is still queued, waits for the write in flight, closes the file and deletes it (for
   * a write that is being abandoned). Never rejects.
   */
  async abort(): Promise<void> {
    this.accepting = false;
    this.aborted = true;
    this.fail(sinkClosed(this.path, 'aborted'));
    await this.draining;
    if (this.closing !== null) await this.closing.catch(() => undefined);
    await this.releaseHandle();
    try {
      await fsp.unlink(this.path);
    } catch {
      /* already gone */
    }
  }

  private async closeOnce(sync: boolean): Promise<void> {
    try {
      await this.flushAll();
      if (sync) await this.fsync();
    } finally {
      await this.releaseHandle();
    }
  }

  private async releaseHandle(): Promise<void> {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    try {
      await handle.close();
    } catch {
      /* the handle is gone either way; a write or fsync error, if any, is the one that matters */
    }
  }

  private async flushAll(): Promise<void> {
    this.queueGathered();
    await this.drained(0);
  }

  private async fsync(): Promise<void> {
    try {
      await this.handle!.sync();
    } catch (e) {
      throw fsError(e, 'fsync', this.path);
    }
  }

  private checkWritable(): void {
    if (!this.accepting) throw sinkClosed(this.path, 'closed');
    if (this.failure !== null) throw this.failure;
  }

  /** Takes a spare gather buffer of the current size, or allocates one. */
  private startGather(): void {
    let gather = this.spare.pop();
    if (gather === undefined || gather.byteLength !== this.gatherBytes) {
      gather = new Uint8Array(this.gatherBytes);
      this.own.add(gather);
    }
    this.gather = gather;
    this.gathered = 0;
  }

  private queueGathered(): void {
    if (this.gather === null || this.gathered === 0) return;
    const chunk = this.gathered === this.gather.byteLength ? this.gather : this.gather.subarray(0, this.gathered);
    this.gather = null;
    this.gathered = 0;
    this.enqueue(chunk);
  }

  private enqueue(chunk: Uint8Array): void {
    this.queue.push(chunk);
    this.queued += chunk.byteLength;
    if (!this.writing) {
      this.writing = true;
      this.draining = this.drain();
    }
  }

  /** The background loop: writes the queue in order, one buffer at a time. Never rejects. */
  private async drain(): Promise<void> {
    const handle = this.handle!;
    while (this.queue.length > 0 && this.failure === null) {
      const chunk = this.queue[0]!;
      try {
        await writeAllAt(handle, chunk, this.filePosition);
      } catch (e) {
        this.fail(fsError(e, 'write', this.path));
        break;
      }
      if (this.failure !== null) break; // aborted meanwhile: the queue is gone
      this.queue.shift();
      this.filePosition += chunk.byteLength;
      this.queued -= chunk.byteLength;
      if (this.own.has(chunk) && chunk.byteLength === this.gatherBytes && this.spare.length < SPARE_BUFFERS) this.spare.push(chunk);
      this.wakeWaiters();
    }
    this.writing = false;
  }

  /** Records the first failure, drops the queued bytes and rejects every waiter. */
  private fail(error: VegoError): void {
    if (this.failure === null) this.failure = error;
    this.queue.length = 0;
    this.queued = 0;
    this.gather = null;
    this.gathered = 0;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.failure !== null) w.reject(this.failure);
      else if (this.queued <= w.byteLength) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
