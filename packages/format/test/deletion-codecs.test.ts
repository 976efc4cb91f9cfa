/**
 * The deletion-file codecs: the minimal Arrow IPC file reader/writer (one UInt32 column, checked
 * against apache-arrow) and the portable Roaring bitmap (de)serialiser, with hostile inputs.
 */
import * as arrow from 'apache-arrow';
import {
  CorruptDataError,
  DELETION_BITMAP_THRESHOLD,
  decodeDeletionFile,
  deletionFileName,
  deserializeRoaring,
  encodeDeletionFile,
  isVegoError,
  readUint32ArrowFile,
  serializeRoaring,
  writeUint32ArrowFile,
} from '@vego/format';
import { rng as seededRandom } from './helpers';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Every mutation must give a typed error or a result, never another exception. */
function expectTypedOrOk(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isVegoError(e)) throw e;
  }
}

describe('Arrow IPC UInt32 file', () => {
  it('writes files apache-arrow reads as one non-nullable UInt32 column row_id', () => {
    for (const values of [[], [7], [3, 1, 4294967295, 0], Array.from({ length: 4999 }, (_, i) => i * 3)]) {
      const bytes = writeUint32ArrowFile(Uint32Array.from(values));
      const t = arrow.tableFromIPC(bytes);
      expect(t.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([['row_id', 'Uint32', false]]);
      expect(t.batches.length).toBe(1);
      expect(Array.from(t.getChild('row_id')!.toArray() as Uint32Array)).toEqual(values);
      expect(Array.from(readUint32ArrowFile(bytes, 'f', 1 << 30))).toEqual(values);
    }
  });

  it('has the documented size and body for [3, 7]', () => {
    const bytes = writeUint32ArrowFile(Uint32Array.from([3, 7]));
    expect(bytes.length).toBe(546);
    expect(hex(bytes.subarray(0, 8))).toBe('4152524f57310000');
    expect(hex(bytes.subarray(bytes.length - 6))).toBe('4152524f5731');
    expect(hex(bytes)).toContain('0300000007000000');
  });

  it('reads files apache-arrow writes (file format, uncompressed)', () => {
    const values = Uint32Array.from([5, 2, 99, 1000000]);
    const table = new arrow.Table({ row_id: arrow.makeVector(values) });
    const bytes = arrow.tableToIPC(table, 'file');
    expect(Array.from(readUint32ArrowFile(bytes, 'f', 1 << 30))).toEqual([5, 2, 99, 1000000]);
  });

  it('refuses other column types, nulls, several batches and too many rows with typed errors', () => {
    const i32 = arrow.tableToIPC(new arrow.Table({ row_id: arrow.makeVector(Int32Array.from([1, 2])) }), 'file');
    expect(() => readUint32ArrowFile(i32, 'f', 100)).toThrow(/UInt32/);
    const withNull = arrow.tableToIPC(new arrow.Table({ row_id: arrow.vectorFromArray([1, null], new arrow.Uint32()) }), 'file');
    expect(() => readUint32ArrowFile(withNull, 'f', 100)).toThrow(/null/);
    const two = arrow.tableToIPC(
      new arrow.Table([
        new arrow.Table({ row_id: arrow.makeVector(Uint32Array.from([1])) }).batches[0]!,
        new arrow.Table({ row_id: arrow.makeVector(Uint32Array.from([2])) }).batches[0]!,
      ]),
      'file',
    );
    expect(() => readUint32ArrowFile(two, 'f', 100)).toThrow(/exactly one record batch/);
    const ok = writeUint32ArrowFile(Uint32Array.from([1, 2, 3]));
    expect(() => readUint32ArrowFile(ok, 'f', 2)).toThrow(CorruptDataError);
  });

  it('gives CorruptDataError for bad magic, footer lengths and truncation, and only typed errors for any flipped byte', () => {
    const ok = writeUint32ArrowFile(Uint32Array.from([1, 2, 3, 10, 20]));
    const badMagic = ok.slice();
    badMagic[0] = 0;
    expect(() => readUint32ArrowFile(badMagic, 'f', 100)).toThrow(CorruptDataError);
    const badFooter = ok.slice();
    new DataView(badFooter.buffer).setInt32(badFooter.length - 10, 1 << 30, true);
    expect(() => readUint32ArrowFile(badFooter, 'f', 100)).toThrow(/footer length/);
    for (let cut = 0; cut < ok.length; cut += 7) {
      expect(() => readUint32ArrowFile(ok.subarray(0, cut), 'f', 100)).toThrow(CorruptDataError);
    }
    const rnd = seededRandom(7);
    for (let trial = 0; trial < 3000; trial++) {
      const b = ok.slice();
      const flips = 1 + ((rnd() * 3) | 0);
      for (let k = 0; k < flips; k++) b[(rnd() * b.length) | 0] = (rnd() * 256) | 0;
      expectTypedOrOk(() => readUint32ArrowFile(b, 'f', 100));
    }
  });
});

describe('Roaring bitmap', () => {
  it('matches the worked example bytes for {1, 2, 70000}', () => {
    const bytes = serializeRoaring(Uint32Array.from([1, 2, 70000]));
    expect(hex(bytes)).toBe('3a300000020000000000010001000000180000001c000000010002007011');
    expect(Array.from(deserializeRoaring(bytes, 'b', 100000))).toEqual([1, 2, 70000]);
  });

  it('round-trips empty, array, bitmap and boundary-size containers', () => {
    const rnd = seededRandom(3);
    const cases: number[][] = [[], [0], [65535, 65536], Array.from({ length: 4096 }, (_, i) => i * 2), Array.from({ length: 4097 }, (_, i) => i * 2)];
    const dense: number[] = [];
    for (let i = 0; i < 300000; i++) if (rnd() < 0.3) dense.push(i);
    cases.push(dense);
    for (const c of cases) {
      const bytes = serializeRoaring(Uint32Array.from(c));
      expect(Array.from(deserializeRoaring(bytes, 'b', 300000))).toEqual(c);
    }
  });

  it('reads run containers (cookie 12347)', () => {
    // 1 container, run bit set, no offsets (< 4 containers): runs [10..12], [100..100].
    const b = new Uint8Array(4 + 1 + 4 + 2 + 8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, 12347, true); // (1 - 1) << 16 | 12347
    b[4] = 1;
    dv.setUint16(5, 0, true);
    dv.setUint16(7, 3, true); // cardinality 4
    dv.setUint16(9, 2, true);
    dv.setUint16(11, 10, true);
    dv.setUint16(13, 2, true);
    dv.setUint16(15, 100, true);
    dv.setUint16(17, 0, true);
    expect(Array.from(deserializeRoaring(b, 'b', 1000))).toEqual([10, 11, 12, 100]);
    dv.setUint16(7, 4, true); // cardinality says 5
    expect(() => deserializeRoaring(b, 'b', 1000)).toThrow(CorruptDataError);
  });

  it('gives CorruptDataError for bad cookies, truncation, unsorted values, trailing bytes and out-of-range values', () => {
    const ok = serializeRoaring(Uint32Array.from([1, 5, 9]));
    const badCookie = ok.slice();
    badCookie[0] = 1;
    expect(() => deserializeRoaring(badCookie, 'b', 100)).toThrow(/cookie/);
    for (let cut = 0; cut < ok.length; cut++) expect(() => deserializeRoaring(ok.subarray(0, cut), 'b', 100)).toThrow(CorruptDataError);
    const unsorted = ok.slice();
    new DataView(unsorted.buffer).setUint16(unsorted.length - 2, 2, true);
    expect(() => deserializeRoaring(unsorted, 'b', 100)).toThrow(/ascending/);
    const trailing = new Uint8Array(ok.length + 1);
    trailing.set(ok);
    expect(() => deserializeRoaring(trailing, 'b', 100)).toThrow(/trailing/);
    expect(() => deserializeRoaring(ok, 'b', 9)).toThrow(/below 9/);
    expect(() => deserializeRoaring(ok, 'b', 2)).toThrow(/at most 2 values/);
    const huge = new Uint8Array(8);
    new DataView(huge.buffer).setUint32(0, 12346, true);
    new DataView(huge.buffer).setUint32(4, 0xffffffff, true);
    expect(() => deserializeRoaring(huge, 'b', 100)).toThrow(CorruptDataError);
    const rnd = seededRandom(11);
    const big = serializeRoaring(Uint32Array.from(Array.from({ length: 6000 }, (_, i) => i * 3)));
    for (let trial = 0; trial < 2000; trial++) {
      const b = (trial & 1 ? big : ok).slice();
      b[(rnd() * Math.min(b.length, 64)) | 0] = (rnd() * 256) | 0;
      expectTypedOrOk(() => deserializeRoaring(b, 'b', 20000));
    }
  });
});

describe('deletion files', () => {
  it('names files as Lance does and picks .arrow below the threshold, Roaring .bin from it', () => {
    expect(deletionFileName(3, { fileType: 'arrow_array', readVersion: 7, id: 42n, numDeletedRows: 2 })).toBe('3-7-42.arrow');
    expect(deletionFileName(0, { fileType: 'bitmap', readVersion: 1, id: 18446744073709551615n, numDeletedRows: 0 })).toBe('0-1-18446744073709551615.bin');
    const small = Uint32Array.from({ length: DELETION_BITMAP_THRESHOLD - 1 }, (_, i) => i * 2);
    const large = Uint32Array.from({ length: DELETION_BITMAP_THRESHOLD }, (_, i) => i * 2);
    const a = encodeDeletionFile(small);
    const b = encodeDeletionFile(large);
    expect(a.fileType).toBe('arrow_array');
    expect(b.fileType).toBe('bitmap');
    expect(a.bytes).toEqual(writeUint32ArrowFile(small));
    expect(b.bytes).toEqual(serializeRoaring(large));
    const entry = (fileType: 'arrow_array' | 'bitmap', n: number) => ({ fileType, readVersion: 1, id: 1n, numDeletedRows: n });
    expect(decodeDeletionFile(a.bytes, entry('arrow_array', small.length), 'f', 20000)).toEqual(small);
    expect(decodeDeletionFile(b.bytes, entry('bitmap', large.length), 'f', 20000)).toEqual(large);
  });

  it('sorts .arrow offsets and refuses duplicates, offsets past the fragment and counts disagreeing with the manifest', () => {
    const entry = (n: number) => ({ fileType: 'arrow_array' as const, readVersion: 1, id: 1n, numDeletedRows: n });
    expect(Array.from(decodeDeletionFile(writeUint32ArrowFile(Uint32Array.from([9, 2, 5])), entry(3), 'f', 10))).toEqual([2, 5, 9]);
    expect(() => decodeDeletionFile(writeUint32ArrowFile(Uint32Array.from([2, 2])), entry(0), 'f', 10)).toThrow(/listed twice/);
    expect(() => decodeDeletionFile(writeUint32ArrowFile(Uint32Array.from([10])), entry(0), 'f', 10)).toThrow(/below 10/);
    expect(() => decodeDeletionFile(writeUint32ArrowFile(Uint32Array.from([1, 2])), entry(3), 'f', 10)).toThrow(CorruptDataError);
    expect(() => decodeDeletionFile(serializeRoaring(Uint32Array.from([1, 2])), { ...entry(3), fileType: 'bitmap' }, 'f', 10)).toThrow(/expected 3 deleted rows/);
  });
});
