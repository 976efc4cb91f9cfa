/**
 * The 40-byte footer that ends every Lance v2 file, all little-endian:
 *
 * ```text
 * u64 position of column metadata 0     u64 position of the column-metadata offset table (CMO)
 * u64 position of the global-buffer offset table (GBO)
 * u32 number of global buffers          u32 number of columns
 * u16 major version   u16 minor version  "LANC"
 * ```
 * Versions: 0.3 is Lance 2.0, 2.1 and 2.2 are themselves, 0.1/0.2 is the legacy (v1) format.
 * Example: a one-column 2.0 file ends `… 01 00 00 00 01 00 00 00 00 00 03 00 4C 41 4E 43`.
 */
import { CorruptDataError, UnsupportedVersionError } from '@vego/encoding';

/** Bytes in the footer. */
export const FOOTER_BYTES = 40;
/** The magic that ends every Lance file and manifest. */
export const MAGIC = new Uint8Array([0x4c, 0x41, 0x4e, 0x43]); // "LANC"
/** On-disk major/minor of a Lance 2.0 file. */
export const LANCE_2_0_VERSION = { major: 0, minor: 3 } as const;

/** The decoded footer. */
export interface LanceFooter {
  columnMeta0Position: number;
  cmoTablePosition: number;
  gboTablePosition: number;
  numGlobalBuffers: number;
  numColumns: number;
  major: number;
  minor: number;
}

/** Human name of an on-disk version pair (`0.3` → `2.0`). */
export function lanceVersionName(major: number, minor: number): string {
  if (major === 0 && minor === 3) return '2.0';
  if (major === 0 && (minor === 1 || minor === 2)) return `legacy (0.${minor})`;
  return `${major}.${minor}`;
}

/** On-disk version pairs read here: 2.0 (0.3), 2.1 and 2.2. */
export function isReadableVersion(major: number, minor: number): boolean {
  return (major === LANCE_2_0_VERSION.major && minor === LANCE_2_0_VERSION.minor) || (major === 2 && (minor === 1 || minor === 2));
}

/** Encodes a footer (copy: a new 40-byte array). */
export function encodeFooter(f: LanceFooter): Uint8Array {
  const out = new Uint8Array(FOOTER_BYTES);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(f.columnMeta0Position), true);
  dv.setBigUint64(8, BigInt(f.cmoTablePosition), true);
  dv.setBigUint64(16, BigInt(f.gboTablePosition), true);
  dv.setUint32(24, f.numGlobalBuffers, true);
  dv.setUint32(28, f.numColumns, true);
  dv.setUint16(32, f.major, true);
  dv.setUint16(34, f.minor, true);
  out.set(MAGIC, 36);
  return out;
}

function u64(dv: DataView, at: number, name: string, fileByteLength: number): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(fileByteLength)) {
    throw new CorruptDataError(`Lance footer: ${name} is ${v}, beyond the file size ${fileByteLength} (footer byte ${at})`);
  }
  return Number(v);
}

/**
 * Decodes and checks the footer: magic, version (2.0, 2.1 and 2.2 are read), and that every table lies in the file.
 * @param bytes the last 40 bytes of the file.
 * @param fileByteLength the size of the whole file.
 * @throws CorruptDataError on bad magic or out-of-range positions; UnsupportedVersionError for versions other than 2.0, 2.1 and 2.2.
 */
export function decodeFooter(bytes: Uint8Array, fileByteLength: number): LanceFooter {
  if (bytes.length !== FOOTER_BYTES) throw new CorruptDataError(`Lance footer: expected ${FOOTER_BYTES} bytes, found ${bytes.length}`);
  for (let i = 0; i < 4; i++) {
    if (bytes[36 + i] !== MAGIC[i]) {
      const found = Array.from(bytes.subarray(36, 40), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new CorruptDataError(`Lance footer: expected magic "LANC" (4c 41 4e 43) at byte ${fileByteLength - 4}, found ${found}`);
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, FOOTER_BYTES);
  const major = dv.getUint16(32, true);
  const minor = dv.getUint16(34, true);
  if (!isReadableVersion(major, minor)) {
    throw new UnsupportedVersionError(
      `Lance file version ${lanceVersionName(major, minor)} (on-disk major ${major}, minor ${minor}) is not supported; this reader reads 2.0 (0.3), 2.1 and 2.2`,
      major,
      minor,
    );
  }
  const dataEnd = fileByteLength - FOOTER_BYTES;
  const f: LanceFooter = {
    columnMeta0Position: u64(dv, 0, 'column metadata 0 position', dataEnd),
    cmoTablePosition: u64(dv, 8, 'column metadata offset table position', dataEnd),
    gboTablePosition: u64(dv, 16, 'global buffer offset table position', dataEnd),
    numGlobalBuffers: dv.getUint32(24, true),
    numColumns: dv.getUint32(28, true),
    major,
    minor,
  };
  if (f.cmoTablePosition + f.numColumns * 16 > dataEnd) {
    throw new CorruptDataError(`Lance footer: ${f.numColumns} column offsets at ${f.cmoTablePosition} run past the footer at ${dataEnd}`);
  }
  if (f.numGlobalBuffers < 1) throw new CorruptDataError('Lance footer: expected at least 1 global buffer (the file descriptor), found 0');
  if (f.gboTablePosition + f.numGlobalBuffers * 16 > dataEnd) {
    throw new CorruptDataError(`Lance footer: ${f.numGlobalBuffers} global buffer offsets at ${f.gboTablePosition} run past the footer at ${dataEnd}`);
  }
  return f;
}

/**
 * Decodes an offset table of `count` (u64 position, u64 size) pairs, checking each range lies in `[0, limit)`.
 * @throws CorruptDataError when an entry points outside the file.
 */
export function decodeOffsetTable(bytes: Uint8Array, count: number, limit: number, what: string): { positions: number[]; sizes: number[] } {
  if (bytes.length < count * 16) throw new CorruptDataError(`${what}: expected ${count * 16} bytes, found ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const positions: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const pos = dv.getBigUint64(i * 16, true);
    const size = dv.getBigUint64(i * 16 + 8, true);
    if (pos > BigInt(limit) || size > BigInt(limit) || pos + size > BigInt(limit)) {
      throw new CorruptDataError(`${what}: entry ${i} (position ${pos}, ${size} bytes) lies outside the ${limit} bytes before the footer`);
    }
    positions.push(Number(pos));
    sizes.push(Number(size));
  }
  return { positions, sizes };
}

/** Encodes an offset table (copy). */
export function encodeOffsetTable(positions: readonly number[], sizes: readonly number[]): Uint8Array {
  const out = new Uint8Array(positions.length * 16);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < positions.length; i++) {
    dv.setBigUint64(i * 16, BigInt(positions[i]!), true);
    dv.setBigUint64(i * 16 + 8, BigInt(sizes[i]!), true);
  }
  return out;
}
