/** Hostile input: every damaged file gives a typed error with a code, never a crash, hang or huge allocation. */
import * as fs from 'fs';
import * as path from 'path';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { readAllError, rng, tempDir, writeFile } from './helpers';

const { Field, Schema, RecordBatch, vectorFrom } = F;

function sampleFile(): Uint8Array {
  const fsl = new F.FixedSizeList(new Field('item', new F.Float32()), 4);
  const list = new F.List(new Field('item', new F.Int32()));
  const st = new F.Struct([new Field('a', new F.Int16()), new Field('b', new F.Utf8())]);
  const schema = new Schema([
    new Field('i', new F.Int64()),
    new Field('s', new F.Utf8()),
    new Field('v', fsl),
    new Field('l', list),
    new Field('st', st),
    new Field('b', new F.Bool()),
  ]);
  const n = 40;
  const batch = new RecordBatch(schema, [
    vectorFrom(new F.Int64(), Array.from({ length: n }, (_, i) => (i % 5 ? BigInt(i) : null))),
    vectorFrom(new F.Utf8(), Array.from({ length: n }, (_, i) => (i % 4 ? `str${i}` : null))),
    vectorFrom(fsl, Array.from({ length: n }, (_, i) => (i % 7 ? [i, i, i, i] : null))),
    vectorFrom(list, Array.from({ length: n }, (_, i) => (i % 6 ? [i, i + 1] : null))),
    vectorFrom(st, Array.from({ length: n }, (_, i) => ({ a: i, b: `b${i}` }))),
    vectorFrom(new F.Bool(), Array.from({ length: n }, (_, i) => i % 3 === 0)),
  ] as never);
  return writeFile(schema, [batch], { pageByteLength: 128 }).bytes;
}


function setU64(bytes: Uint8Array, at: number, v: bigint): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setBigUint64(at, v, true);
  return copy;
}

describe('LanceFileReader on hostile input', () => {
  const good = sampleFile();

  it('reads the undamaged sample', () => {
    expect(readAllError(good)).toBeNull();
  });

  it('gives CorruptDataError for every truncation', () => {
    for (let len = 0; len < good.length; len += len < 64 ? 1 : 37) {
      const e = readAllError(good.subarray(0, len));
      expect(e?.code).toBe(F.ErrorCode.CORRUPT_DATA);
    }
  });

  it('gives a typed error or valid data for flipped bytes (1500 seeded flips)', () => {
    const r = rng(99);
    const codes = new Set<string>();
    for (let t = 0; t < 1500; t++) {
      const copy = good.slice();
      // flip in the metadata region more often: that is where the structure lives
      const at = r() < 0.7 ? good.length - 1 - Math.floor(r() * Math.min(good.length, 2500)) : Math.floor(r() * good.length);
      copy[at]! ^= 1 << Math.floor(r() * 8);
      const e = readAllError(copy);
      if (e !== null) codes.add(e.code);
    }
    expect([...codes].every((c) => [F.ErrorCode.CORRUPT_DATA, F.ErrorCode.UNSUPPORTED_VERSION, F.ErrorCode.NOT_SUPPORTED].includes(c as never))).toBe(true);
    expect(codes.has(F.ErrorCode.CORRUPT_DATA)).toBe(true);
  });

  it('gives CorruptDataError for offsets and lengths pointing outside the file', () => {
    const end = good.length - 40;
    const dv = new DataView(good.buffer, good.byteOffset, good.length);
    const cmo = Number(dv.getBigUint64(end + 8, true));
    const gbo = Number(dv.getBigUint64(end + 16, true));
    const cases = [
      setU64(good, end + 8, BigInt(good.length) * 2n), // CMO table beyond the file
      setU64(good, end + 16, 2n ** 63n), // GBO table absurdly far
      setU64(good, gbo + 8, 2n ** 40n), // global buffer 0 of 1 TiB
      setU64(good, cmo, BigInt(good.length - 10)), // column 0 metadata position near the end
      setU64(good, cmo + 8, 2n ** 62n), // column 0 metadata length absurd
    ];
    const counts = good.slice();
    new DataView(counts.buffer).setUint32(end + 28, 0xffffffff, true); // 4 billion columns
    cases.push(counts);
    const bufs = good.slice();
    new DataView(bufs.buffer).setUint32(end + 24, 0, true); // no global buffers
    cases.push(bufs);
    for (const c of cases) expect(readAllError(c)?.code).toBe(F.ErrorCode.CORRUPT_DATA);
  });

  it('gives CorruptDataError for bad magic', () => {
    const copy = good.slice();
    copy[copy.length - 1] = 0x44;
    const e = readAllError(copy);
    expect(e).toBeInstanceOf(F.CorruptDataError);
    expect(e!.message).toMatch(/LANC/);
  });

  it('gives UnsupportedVersionError with major/minor for unknown and newer versions', () => {
    for (const [major, minor] of [[2, 3], [1, 0], [0, 2], [9, 9]] as const) {
      const copy = good.slice();
      const dv = new DataView(copy.buffer);
      dv.setUint16(copy.length - 8, major, true);
      dv.setUint16(copy.length - 6, minor, true);
      const e = readAllError(copy);
      expect(e).toBeInstanceOf(F.UnsupportedVersionError);
      expect((e as F.UnsupportedVersionError).major).toBe(major);
      expect((e as F.UnsupportedVersionError).minor).toBe(minor);
    }
  });

  it('decodes hostile protobuf and manifests into typed errors', () => {
    const r = rng(5);
    for (let t = 0; t < 2000; t++) {
      const junk = Uint8Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256));
      for (const f of [F.decodeArrayEncoding, F.decodeFileDescriptor, (b: Uint8Array) => F.decodeColumnMetadata(b, 0, 1000), F.decodeManifest]) {
        try {
          f(junk);
        } catch (e) {
          if (!F.isVegoError(e)) throw e;
        }
      }
    }
    const m = F.encodeManifest(F.manifestForFiles(new Schema([new Field('a', new F.Int32())]), [{ path: 'x.lance', numRows: 3, byteLength: 100 }]));
    for (let len = 0; len < m.length; len++) expect(() => F.decodeManifest(m.subarray(0, len))).toThrow(F.CorruptDataError);
  });
});
