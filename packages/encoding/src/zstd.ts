/**
 * ZSTD compression through `zstd-codec` (zstd compiled to WebAssembly), levels 1..19.
 *
 * Call `await initZstd()` once; after that {@link zstdCompress} and {@link zstdDecompress} are
 * synchronous. Using them before throws {@link ZstdNotInitializedError}.
 *
 * Byte layout: a concatenation of standard ZSTD frames (RFC 8878), each compressing at most
 * {@link ZSTD_FRAME_BYTES} (512 KiB) of input, each declaring its Frame_Content_Size and each ending
 * with a Content_Checksum (the low 32 bits of XXH64 of the frame's content; zstd-codec cannot set
 * the flag, so {@link zstdCompress} sets the descriptor's checksum bit and appends the checksum
 * itself). Any conforming ZSTD decoder reads the concatenation as the whole input. Empty input →
 * zero bytes. {@link zstdDecompress} verifies the checksum of every frame that has one (frames
 * written by LanceDB have none and still read) and gives CorruptDataError on a mismatch.
 * The split into frames is forced by the WebAssembly module's fixed 16 MiB heap: one frame at
 * level 19 must fit in it.
 *
 * Worked example: the 3 bytes `01 02 03` at level 3 →
 * ```
 * 28 B5 2F FD   magic 0xFD2FB528
 * 24            frame header descriptor: single segment, 1-byte content size, checksum, no dictionary
 * 03            Frame_Content_Size = 3
 * 19 00 00      block header: last block, raw block, size 3
 * 01 02 03      the raw bytes
 * xx xx xx xx   Content_Checksum: low 32 bits of XXH64(01 02 03), little-endian
 * ```
 * Before decompressing, the decoder walks every frame header and block header, checks each length
 * against the bytes that remain, and checks that the declared content sizes add up to the expected
 * length, so hostile input can neither overrun the input nor make the decoder allocate more than
 * the caller declared.
 */
import { CorruptDataError, corruptData, InternalError, InvalidArgumentError, NotSupportedError } from '@vego/arrow';
import { checkDecodeLimits } from './decode-limits';
import type { DecodeLimits } from './decode-limits';
import { checkInt, need, readU32, writeU32 } from './internal/bytes';
import { xxhash64Low32 } from './internal/xxhash64';

/** Input bytes per ZSTD frame written by {@link zstdCompress}. */
export const ZSTD_FRAME_BYTES = 512 * 1024;
/** Largest frame content size {@link zstdDecompress} accepts (the WebAssembly heap is 16 MiB). */
export const ZSTD_MAX_FRAME_CONTENT_BYTES = 4 * 1024 * 1024;
/** Default compression level. */
export const ZSTD_DEFAULT_LEVEL = 3;
const ZSTD_MAGIC = 0xfd2fb528;

/** ZSTD was used before `await initZstd()` finished. */
export class ZstdNotInitializedError extends NotSupportedError {
  constructor() {
    super('ZSTD is not initialised: call `await initZstd()` once before encoding or decoding with ZSTD');
  }
}

interface ZstdSimple {
  compress(bytes: Uint8Array, level: number): Uint8Array | null;
  decompress(bytes: Uint8Array): Uint8Array | null;
}
interface ZstdCodecModule {
  ZstdCodec: { run(callback: (zstd: { Simple: new () => ZstdSimple }) => void): void };
}

/** Loads the `zstd-codec` module (its CommonJS exports or an ES namespace wrapping them). */
export type ZstdCodecLoader = () => Promise<unknown>;

/**
 * The package name, in a variable so that bundlers leave the import alone: zstd-codec is 1.8 MB of
 * Emscripten glue (which also requires `fs`, `path` and `crypto`), and a bundle that never meets a
 * zstd page should neither carry nor evaluate it. Under Node the import resolves from this package.
 */
const ZSTD_CODEC_PACKAGE = 'zstd-codec';

/** The default loader: Node's own module resolution, at the first `initZstd()`. */
function importZstdCodec(): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ ZSTD_CODEC_PACKAGE);
}

let simple: ZstdSimple | null = null;
let loading: Promise<void> | null = null;

function codecModule(loaded: unknown): ZstdCodecModule | null {
  const mod = loaded as Partial<ZstdCodecModule> & { default?: Partial<ZstdCodecModule> };
  const found = typeof mod?.ZstdCodec?.run === 'function' ? mod : mod?.default;
  return typeof found?.ZstdCodec?.run === 'function' ? (found as ZstdCodecModule) : null;
}

/**
 * Loads and initialises the ZSTD WebAssembly module. Idempotent: later calls return the same promise.
 *
 * Nothing is loaded before this is called (bundles that never call it do not contain zstd-codec).
 * Under Node the default loader imports `zstd-codec`, a dependency of this package. In a browser
 * bundle pass a loader the bundler can see, e.g. `initZstd(() => import('zstd-codec'))`.
 * @param load - how to load `zstd-codec` (default: a dynamic import of the package).
 * @throws NotSupportedError (as a rejected promise) when the module cannot be loaded, e.g. in a
 *   browser without a loader; InternalError when the loaded module is not zstd-codec.
 * @example
 * ```ts
 * await initZstd();
 * const packed = zstdCompress(bytes, 9);
 * ```
 */
export function initZstd(load: ZstdCodecLoader = importZstdCodec): Promise<void> {
  if (loading !== null) return loading;
  const started = (async () => {
    let loaded: unknown;
    try {
      loaded = await load();
    } catch (cause) {
      throw new NotSupportedError(
        'could not load zstd-codec: under Node install it beside @vego/encoding; in a browser bundle call `initZstd(() => import(\'zstd-codec\'))`',
        { cause },
      );
    }
    const mod = codecModule(loaded);
    if (mod === null) throw new InternalError('the module given to initZstd() is not zstd-codec (no ZstdCodec.run)');
    await new Promise<void>((resolve, reject) => {
      try {
        mod.ZstdCodec.run((zstd) => {
          simple = new zstd.Simple();
          resolve();
        });
      } catch (cause) {
        reject(new InternalError('zstd-codec failed to initialise', { cause }));
      }
    });
  })();
  loading = started.catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** True once {@link initZstd} has finished. */
export function isZstdReady(): boolean {
  return simple !== null;
}

function codec(): ZstdSimple {
  if (simple === null) throw new ZstdNotInitializedError();
  return simple;
}

/**
 * Compresses `bytes` into concatenated ZSTD frames of at most {@link ZSTD_FRAME_BYTES} input each.
 * @param bytes - input (any byte offset).
 * @param level - 1..19 (default 3).
 * Every frame carries a content checksum (see the file comment).
 * @returns the compressed bytes (new array, copy).
 * @throws ZstdNotInitializedError before `initZstd()`; InvalidArgumentError on a bad level.
 */
export function zstdCompress(bytes: Uint8Array, level: number = ZSTD_DEFAULT_LEVEL): Uint8Array {
  checkInt('level', level, 1, 19);
  const z = codec();
  const n = bytes.length;
  if (n === 0) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let start = 0; start < n; start += ZSTD_FRAME_BYTES) {
    let part: Uint8Array | null;
    try {
      part = z.compress(bytes.subarray(start, Math.min(n, start + ZSTD_FRAME_BYTES)), level);
    } catch (cause) {
      throw new InternalError('zstd-codec failed to compress', { cause });
    }
    if (part === null) throw new InternalError('zstd-codec failed to compress');
    part = withChecksum(part, bytes, start, Math.min(n, start + ZSTD_FRAME_BYTES));
    parts.push(part);
    total += part.length;
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/**
 * Turns one checksum-less frame from zstd-codec into the same frame with a Content_Checksum: sets bit 2
 * of the frame header descriptor and appends the low 32 bits of XXH64 of the frame's input (copy).
 */
function withChecksum(frame: Uint8Array, input: Uint8Array, start: number, end: number): Uint8Array {
  if (frame.length < 5 || readU32(frame, 0, 'ZSTD frame') !== ZSTD_MAGIC || (frame[4]! & 0x04) !== 0) {
    throw new InternalError('zstd-codec returned an unexpected frame');
  }
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  out[4] = frame[4]! | 0x04;
  writeU32(out, frame.length, xxhash64Low32(input, start, end));
  return out;
}

/** One frame found by {@link scanZstdFrames}. */
interface FrameSpan {
  byteOffset: number;
  byteLength: number;
  contentByteLength: number;
  /** Byte offset of the frame's Content_Checksum, or −1 when the frame has none. */
  checksumOffset: number;
}

/**
 * Walks ZSTD frames and blocks without decompressing, checking every length.
 * @returns one span per frame.
 * @throws CorruptDataError on any inconsistency or when a frame lacks Frame_Content_Size.
 */
function scanZstdFrames(bytes: Uint8Array): FrameSpan[] {
  const frames: FrameSpan[] = [];
  let p = 0;
  while (p < bytes.length) {
    const start = p;
    const magic = readU32(bytes, p, `ZSTD frame at byte ${p}`);
    if (magic !== ZSTD_MAGIC) throw corruptData(`ZSTD frame at byte ${p}`, 'magic 0xFD2FB528', `0x${magic.toString(16)}`);
    p += 4;
    need(bytes, p, 1, 'ZSTD frame header');
    const fhd = bytes[p++]!;
    const fcsFlag = fhd >>> 6;
    const singleSegment = (fhd >>> 5) & 1;
    if ((fhd & 0x08) !== 0) throw corruptData('ZSTD frame header descriptor', 'reserved bit 0', '1');
    const checksum = (fhd >>> 2) & 1;
    const didFlag = fhd & 3;
    if (singleSegment === 0) p += 1;
    p += didFlag === 3 ? 4 : didFlag;
    const fcsBytes = fcsFlag === 0 ? singleSegment : fcsFlag === 1 ? 2 : fcsFlag === 2 ? 4 : 8;
    if (fcsBytes === 0) throw corruptData('ZSTD frame header', 'a Frame_Content_Size field', 'none');
    need(bytes, p, fcsBytes, 'ZSTD frame content size');
    let content = 0;
    for (let k = fcsBytes - 1; k >= 0; k--) content = content * 256 + bytes[p + k]!;
    if (fcsBytes === 2) content += 256;
    p += fcsBytes;
    for (;;) {
      need(bytes, p, 3, 'ZSTD block header');
      const h = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16);
      p += 3;
      const last = h & 1;
      const type = (h >>> 1) & 3;
      const blockSize = h >>> 3;
      if (type === 3) throw corruptData('ZSTD block type', '0, 1 or 2', '3 (reserved)');
      const stored = type === 1 ? 1 : blockSize;
      need(bytes, p, stored, 'ZSTD block');
      p += stored;
      if (last === 1) break;
    }
    let checksumOffset = -1;
    if (checksum === 1) {
      need(bytes, p, 4, 'ZSTD content checksum');
      checksumOffset = p;
      p += 4;
    }
    frames.push({ byteOffset: start, byteLength: p - start, contentByteLength: content, checksumOffset });
  }
  return frames;
}

/**
 * The decompressed size that concatenated ZSTD frames declare (the sum of their Frame_Content_Size fields),
 * read from the frame and block headers without decompressing: for data stored without a length of its own.
 * Needs no `initZstd()`.
 * @throws CorruptDataError on malformed frames or a frame without Frame_Content_Size.
 */
export function zstdContentSize(bytes: Uint8Array): number {
  let total = 0;
  for (const f of scanZstdFrames(bytes)) total += f.contentByteLength;
  return total;
}

/**
 * Decompresses concatenated ZSTD frames that must hold exactly `byteLength` bytes in total.
 * @param bytes - the compressed bytes (exactly the frames; trailing garbage is corrupt).
 * @param byteLength - the expected decompressed length; nothing larger is ever allocated.
 * @param limits - output bounds (`maxOutputBytes`, default the module's): a few bytes of RLE blocks can
 *   declare megabytes, so `byteLength` (usually read from a header) is checked against them first.
 * @returns the decompressed bytes in a new 8-byte-aligned buffer (copy).
 * @throws CorruptDataError on malformed frames, a length mismatch, a content checksum mismatch or a
 *   length over the limits; NotSupportedError for a frame over {@link ZSTD_MAX_FRAME_CONTENT_BYTES};
 *   ZstdNotInitializedError before `initZstd()`.
 */
export function zstdDecompress(bytes: Uint8Array, byteLength: number, limits?: DecodeLimits): Uint8Array {
  checkInt('byteLength', byteLength, 0, 2 ** 32);
  checkDecodeLimits(`ZSTD data of ${byteLength} bytes`, byteLength, 1, limits);
  const z = codec();
  const frames = scanZstdFrames(bytes);
  let total = 0;
  for (const f of frames) {
    if (f.contentByteLength > ZSTD_MAX_FRAME_CONTENT_BYTES) {
      if (f.contentByteLength > byteLength) throw corruptData('ZSTD frame content size', `at most ${byteLength}`, String(f.contentByteLength));
      throw new NotSupportedError(`ZSTD frame of ${f.contentByteLength} bytes exceeds the ${ZSTD_MAX_FRAME_CONTENT_BYTES}-byte limit of zstd-codec`);
    }
    total += f.contentByteLength;
  }
  if (total !== byteLength) throw corruptData('ZSTD decompressed length', String(byteLength), String(total));
  const out = new Uint8Array(new ArrayBuffer(Math.ceil(byteLength / 8) * 8), 0, byteLength);
  let pos = 0;
  for (const f of frames) {
    if (f.contentByteLength === 0) {
      verifyChecksum(bytes, f, new Uint8Array(0));
      continue;
    }
    let part: Uint8Array | null;
    try {
      part = z.decompress(bytes.subarray(f.byteOffset, f.byteOffset + f.byteLength));
    } catch (cause) {
      throw new CorruptDataError(`ZSTD frame at byte ${f.byteOffset} does not decompress`, { cause });
    }
    if (part === null || part.length !== f.contentByteLength) {
      throw corruptData(`ZSTD frame at byte ${f.byteOffset}`, `${f.contentByteLength} decompressed bytes`, part === null ? 'a decoder error (or a checksum mismatch)' : String(part.length));
    }
    verifyChecksum(bytes, f, part);
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/**
 * Compares a frame's Content_Checksum (when it has one) with XXH64 of its decompressed content. zstd
 * checks it too; checking here keeps the guarantee independent of the zstd build.
 */
function verifyChecksum(bytes: Uint8Array, f: FrameSpan, content: Uint8Array): void {
  if (f.checksumOffset < 0) return;
  const stored = readU32(bytes, f.checksumOffset, 'ZSTD content checksum');
  const actual = xxhash64Low32(content, 0, content.length);
  if (stored !== actual) {
    throw corruptData(`ZSTD content checksum of the frame at byte ${f.byteOffset}`, `0x${actual.toString(16)}`, `0x${stored.toString(16)}`);
  }
}

/** Checks a ZSTD level (1..19); the message names `zstdLevel`. @internal */
export function checkZstdLevel(level: number): void {
  if (!Number.isInteger(level) || level < 1 || level > 19) {
    throw new InvalidArgumentError(`\`zstdLevel\` must be an integer in [1, 19], got ${String(level)}`);
  }
}
