import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonFile, parseJsonLines, parseNpy, parseVecs, readVectorFile } from '@vego/cli';
import { ErrorCode } from '@vego/hnsw';
import { vecsBytes } from '@vego/test-support';

function fvecs(rows: number[][]): Uint8Array {
  return vecsBytes(Float32Array.from(rows.flat()), rows[0]!.length);
}

function npy(rows: number[][], descr = '<f4', fortran = 'False'): Uint8Array {
  const d = rows[0]!.length;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${rows.length}, ${d}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const bytesPer = descr === '<f8' ? 8 : 4;
  const out = new Uint8Array(10 + header.length + rows.length * d * bytesPer);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer, 10 + header.length);
  rows.flat().forEach((x, i) => (bytesPer === 8 ? view.setFloat64(8 * i, x, true) : view.setFloat32(4 * i, x, true)));
  return out;
}

describe('vector files', () => {
  const rows = [
    [1, 2, 3],
    [4, 5.5, -6],
  ];

  it('reads fvecs records into one flat array', () => {
    const set = parseVecs(fvecs(rows), 'a.fvecs');
    expect(set.dimension).toBe(3);
    expect(set.count).toBe(2);
    expect(Array.from(set.vectors)).toEqual([1, 2, 3, 4, 5.5, -6]);
  });

  it('rejects a truncated or inconsistent fvecs file with CorruptDataError', () => {
    const b = fvecs(rows);
    expect(() => parseVecs(b.subarray(0, b.length - 1), 'a.fvecs')).toThrow(expect.objectContaining({ code: ErrorCode.CORRUPT_DATA }));
    const bad = b.slice();
    new DataView(bad.buffer).setInt32(16, 7, true);
    expect(() => parseVecs(bad, 'a.fvecs')).toThrow(/record 1 at offset 16: expected dimension 3, found 7/);
    const huge = b.slice();
    new DataView(huge.buffer).setInt32(0, 1 << 30, true);
    expect(() => parseVecs(huge, 'a.fvecs')).toThrow(expect.objectContaining({ code: ErrorCode.CORRUPT_DATA }));
  });

  it('reads npy float32 and float64', () => {
    expect(Array.from(parseNpy(npy(rows), 'a.npy').vectors)).toEqual([1, 2, 3, 4, 5.5, -6]);
    const f8 = parseNpy(npy(rows, '<f8'), 'a.npy');
    expect([f8.count, f8.dimension]).toEqual([2, 3]);
    expect(Array.from(f8.vectors)).toEqual([1, 2, 3, 4, 5.5, -6]);
  });

  it('rejects bad npy files with typed errors', () => {
    expect(() => parseNpy(new Uint8Array(20), 'a.npy')).toThrow(expect.objectContaining({ code: ErrorCode.CORRUPT_DATA }));
    expect(() => parseNpy(npy(rows, '<i4'), 'a.npy')).toThrow(expect.objectContaining({ code: ErrorCode.NOT_SUPPORTED }));
    expect(() => parseNpy(npy(rows, '<f4', 'True'), 'a.npy')).toThrow(/Fortran/);
    const b = npy(rows);
    expect(() => parseNpy(b.subarray(0, b.length - 4), 'a.npy')).toThrow(/needs 24 data bytes, found 20/);
  });

  it('reads JSON lines of arrays or objects and names the bad line', () => {
    const set = parseJsonLines('[1,2]\n{"vector":[3,4],"id":"x"}\n\n', 'a.jsonl');
    expect(Array.from(set.vectors)).toEqual([1, 2, 3, 4]);
    expect(() => parseJsonLines('[1,2]\n[1,2,3]\n', 'a.jsonl')).toThrow(/line 2: expected dimension 2, found 3/);
    expect(() => parseJsonLines('[1,2]\n{oops\n', 'a.jsonl')).toThrow(/line 2 is not JSON/);
    expect(() => parseJsonLines('{"v":[1]}\n', 'a.jsonl')).toThrow(/line 1/);
  });

  it('reads a .json array of rows, and falls back to JSON lines for anything else', () => {
    expect(Array.from(parseJsonFile('[[1,2],\n [3,4]]', 'a.json').vectors)).toEqual([1, 2, 3, 4]);
    expect(Array.from(parseJsonFile('[{"vector":[1,2]},{"vector":[3,4],"text":"x"}]', 'a.json').vectors)).toEqual([1, 2, 3, 4]);
    // One row alone is one vector (as in JSON lines), several lines are JSON lines.
    expect(parseJsonFile('[1,2,3]', 'a.json').count).toBe(1);
    expect(parseJsonFile('[1,2]\n[3,4]\n', 'a.json').count).toBe(2);
    expect(() => parseJsonFile('[[1,2],[3]]', 'a.json')).toThrow(/element 1: expected dimension 2, found 1/);
    expect(() => parseJsonFile('[[1,2],"x"]', 'a.json')).toThrow(expect.objectContaining({ code: ErrorCode.CORRUPT_DATA, message: expect.stringMatching(/element 1/) }));
  });

  it('chooses the parser by extension and reports missing files with the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vego-cli-'));
    try {
      writeFileSync(join(dir, 'a.fvecs'), fvecs(rows));
      writeFileSync(join(dir, 'a.npy'), npy(rows));
      expect(readVectorFile(join(dir, 'a.fvecs')).count).toBe(2);
      expect(readVectorFile(join(dir, 'a.npy')).count).toBe(2);
      expect(() => readVectorFile(join(dir, 'missing.fvecs'))).toThrow(expect.objectContaining({ code: ErrorCode.IO, path: join(dir, 'missing.fvecs') }));
      expect(() => readVectorFile(join(dir, 'a.csv'))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
      expect(() => readVectorFile(join(dir, 'a.csv'))).toThrow(/\.fvecs, \.npy, \.json \(an array of rows\), \.jsonl or \.ndjson/);
      expect(() => readVectorFile(join(dir, 'gt.ivecs'))).toThrow(/ground truth/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
