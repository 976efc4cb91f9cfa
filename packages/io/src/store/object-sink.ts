/**
 * A `ByteSink` that writes one object of an {@link ObjectStore} while `LanceFileWriter` produces it.
 * Bytes gather in parts of `partBytes`; on a {@link MultipartStore} each full part is uploaded at
 * once in the background (a multipart upload), so memory stays at a few parts and an object may
 * exceed the 5 GiB of one PUT; a file that fits in one part goes up as one PUT at {@link finish}.
 * On a store without multipart uploads, every part is kept and sent as one PUT at the end.
 * Nothing becomes visible before {@link finish} completes; {@link abort} drops a started upload.
 */
import type { ByteSink } from '@vego/format';
import { isMultipartStore, type MultipartStore, type ObjectStore } from './object-store';

/** Default part size: 8 MiB (S3 wants at least 5 MiB for every part but the last). */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const MIN_PART_BYTES = 5 * 1024 * 1024;

/** One object being written (see the module comment). */
export class ObjectSink implements ByteSink {
  readonly store: ObjectStore;
  readonly key: string;
  private readonly partBytes: number;
  private current: Uint8Array;
  private filled = 0;
  private written = 0;
  /** Full parts not uploaded (no multipart: every part, kept for the final PUT). */
  private readonly held: Uint8Array[] = [];
  private uploadId: Promise<string> | null = null;
  private readonly etags: Promise<string>[] = [];
  private queuedBytes = 0;
  private failure: unknown = null;
  private waiters: (() => void)[] = [];

  constructor(store: ObjectStore, key: string, partBytes = DEFAULT_PART_BYTES) {
    this.store = store;
    this.key = key;
    this.partBytes = Math.max(MIN_PART_BYTES, partBytes);
    this.current = new Uint8Array(0);
  }

  get byteLength(): number {
    return this.written;
  }

  /** Copies `bytes` into the current part; a full part starts its upload. */
  write(bytes: Uint8Array): void {
    if (this.failure !== null) throw this.failure;
    let at = 0;
    while (at < bytes.byteLength) {
      if (this.current.byteLength === 0) this.current = new Uint8Array(this.partBytes);
      const n = Math.min(bytes.byteLength - at, this.partBytes - this.filled);
      this.current.set(bytes.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === this.partBytes) this.partFull();
    }
    this.written += bytes.byteLength;
  }

  private partFull(): void {
    const part = this.current;
    this.current = new Uint8Array(0);
    this.filled = 0;
    if (!isMultipartStore(this.store)) {
      this.held.push(part);
      return;
    }
    const store: MultipartStore = this.store;
    if (this.uploadId === null) this.uploadId = store.createMultipart(this.key);
    const number = this.etags.length + 1;
    this.queuedBytes += part.byteLength;
    const etag = this.uploadId.then((id) => store.uploadPart(this.key, id, number, part));
    etag.then(
      () => this.settle(part.byteLength, null),
      (e: unknown) => this.settle(part.byteLength, e),
    );
    this.etags.push(etag);
  }

  private settle(byteLength: number, error: unknown): void {
    this.queuedBytes -= byteLength;
    if (error !== null && this.failure === null) this.failure = error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until at most `maxQueuedBytes` are being uploaded; throws a failed part's error. */
  async drained(maxQueuedBytes: number): Promise<void> {
    while (this.failure === null && this.queuedBytes > maxQueuedBytes) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure !== null) throw this.failure;
  }

  /** Uploads what remains and makes the object. */
  async finish(): Promise<void> {
    const last = this.current.subarray(0, this.filled);
    if (this.uploadId === null) {
      let body = last;
      if (this.held.length > 0) {
        body = new Uint8Array(this.written);
        let at = 0;
        for (const p of this.held) (body.set(p, at), (at += p.byteLength));
        body.set(last, at);
      }
      await this.store.put(this.key, body);
      return;
    }
    const store = this.store as MultipartStore;
    const id = await this.uploadId;
    if (last.byteLength > 0) this.etags.push(store.uploadPart(this.key, id, this.etags.length + 1, last));
    const etags = await Promise.all(this.etags);
    await store.completeMultipart(this.key, id, etags);
  }

  /** Drops the upload (best effort; never throws). */
  async abort(): Promise<void> {
    if (this.uploadId === null) return;
    const store = this.store as MultipartStore;
    try {
      const id = await this.uploadId;
      await Promise.allSettled(this.etags);
      await store.abortMultipart(this.key, id);
    } catch {
      /* best effort: an unfinished upload is never visible, and the bucket's lifecycle rules expire it */
    }
  }
}
