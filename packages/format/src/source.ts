/**
 * Byte sources and sinks: the only way @vego/format touches storage. @vego/io implements them over
 * files; the in-memory versions here serve tests, browsers and small files.
 */
import { CorruptDataError, InvalidArgumentError } from '@vego/encoding';

/** Random access to bytes, synchronous. `readSync` returns exactly `byteLength` bytes or throws CorruptDataError/IoError. */
export interface SyncByteSource {
  /** Total size of the underlying bytes. */
  readonly byteLength: number;
  /** Reads `byteLength` bytes at `byteOffset` (a view or a copy, implementation's choice; callers must not write to it). */
  readSync(byteOffset: number, byteLength: number): Uint8Array;
  /**
   * Optional: fills `target` with the bytes at `byteOffset` (the caller's buffer, no intermediate
   * copy) and returns `target.byteLength`. Readers use it, when present, to read plain pages
   * straight into a caller's buffer ({@link LanceFileReader.readFixedSizeListIntoSync}).
   */
  readIntoSync?(byteOffset: number, target: Uint8Array): number;
  /**
   * Optional: fills `targets`, in order, with the consecutive bytes from `byteOffset` on (a scatter
   * read of `sum(targets[i].byteLength)` bytes, no intermediate buffer), or throws as `readSync` does.
   * Readers use it to place values that are framed in the file (e.g. Lance 2.2 mini-block chunks)
   * straight into one column buffer; without it they read the range and copy.
   */
  readScatterSync?(byteOffset: number, targets: readonly Uint8Array[]): void;
}

/** The same, asynchronous (files via FileHandle.read, HTTP ranges, …). */
export interface AsyncByteSource {
  /** Total size of the underlying bytes. */
  readonly byteLength: number;
  /** Reads `byteLength` bytes at `byteOffset` (a view or a copy; callers must not write to it). */
  read(byteOffset: number, byteLength: number): Promise<Uint8Array>;
  /** Optional: async form of {@link SyncByteSource.readScatterSync} (fills `targets` in order from `byteOffset` on). */
  readScatter?(byteOffset: number, targets: readonly Uint8Array[]): Promise<void>;
}

/** Append-only byte sink. */
export interface ByteSink {
  /** Bytes written so far. */
  readonly byteLength: number;
  /** Appends `bytes` (the sink copies them or takes them over; the caller does not reuse them). */
  write(bytes: Uint8Array): void;
  /**
   * Optional: appends `bytes` that stay unchanged until the sink has written them (the writer allocated
   * them and never touches them again, or they are views of a caller's data that the caller promised to
   * keep unchanged: `LanceFileWriterOptions.inputStable`), so a sink that queues writes may queue them
   * as they are instead of copying. The sink must never write into them (they may be the caller's
   * memory). Sinks without it get {@link ByteSink.write}.
   */
  writeOwned?(bytes: Uint8Array): void;
}

function checkRange(byteOffset: number, byteLength: number, size: number): void {
  if (!Number.isSafeInteger(byteOffset) || !Number.isSafeInteger(byteLength) || byteOffset < 0 || byteLength < 0 || byteOffset + byteLength > size) {
    throw new CorruptDataError(`read of ${byteLength} bytes at offset ${byteOffset} is outside the ${size}-byte source`);
  }
}

/**
 * Bytes in memory as a sync and async source. Reads return views (zero-copy) of the given bytes.
 * @example
 * ```ts
 * const reader = LanceFileReader.openSync(new MemorySource(bytes));
 * ```
 */
export class MemorySource implements SyncByteSource, AsyncByteSource {
  readonly bytes: Uint8Array;
  readonly byteLength: number;

  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('`bytes` must be a Uint8Array');
    this.bytes = bytes;
    this.byteLength = bytes.length;
  }

  /** A view of `[byteOffset, byteOffset + byteLength)`. @throws CorruptDataError when out of range. */
  readSync(byteOffset: number, byteLength: number): Uint8Array {
    checkRange(byteOffset, byteLength, this.byteLength);
    return this.bytes.subarray(byteOffset, byteOffset + byteLength);
  }

  /** Async form of {@link MemorySource.readSync} (view). */
  read(byteOffset: number, byteLength: number): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.readSync(byteOffset, byteLength));
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

/**
 * A growable in-memory sink; `toBytes()` returns the bytes written.
 * @example
 * ```ts
 * const sink = new MemorySink();
 * const writer = new LanceFileWriter(sink, schema);
 * writer.write(batch); writer.finish();
 * const bytes = sink.toBytes();
 * ```
 */
export class MemorySink implements ByteSink {
  private buffer: Uint8Array;
  private length: number;

  constructor(initialByteLength = 1 << 16) {
    this.buffer = new Uint8Array(Math.max(64, initialByteLength));
    this.length = 0;
  }

  get byteLength(): number {
    return this.length;
  }

  /** Appends a copy of `bytes`. */
  write(bytes: Uint8Array): void {
    const need = this.length + bytes.length;
    if (need > this.buffer.length) {
      let cap = this.buffer.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buffer.subarray(0, this.length));
      this.buffer = next;
    }
    this.buffer.set(bytes, this.length);
    this.length = need;
  }

  /** The bytes written so far (a view of the internal buffer; later writes may reallocate, so copy to keep). */
  toBytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
