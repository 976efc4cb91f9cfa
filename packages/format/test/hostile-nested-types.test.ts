/**
 * Hostile input on the read paths added for issue 11: nested columns of 2.2 files (null structs, lists of
 * structs, constant pages with level buffers and a value buffer), and temporal, decimal, fixed-size binary,
 * large string and dictionary columns of 2.0 and 2.2 files. Damaged files give typed errors or data, never a
 * crash, hang or huge allocation.
 */
import * as path from 'path';
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { decodePage } from '../src/v2_1/page';
import { readAllError, rng, tempDir } from './helpers';
import { createLanceDbTable, listOf, onlyDataFile } from './fixtures/lancedb';

function attempt(bytes: Uint8Array): F.VegoError | null {
  const e = readAllError(bytes);
  if (e !== null) expect(typeof e.code).toBe('string');
  return e;
}

async function lanceFile(dir: string, version: string | null): Promise<Uint8Array> {
  const n = 200;
  const st = new arrow.Struct([new arrow.Field('v', new arrow.Utf8(), true), new arrow.Field('k', new arrow.Int32(), true)]);
  const fields = [
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('cs', st, true),
    new arrow.Field('ls', listOf(st), true),
    new arrow.Field('ts', new arrow.TimestampNanosecond('UTC'), true),
    new arrow.Field('dec', new arrow.Decimal(2, 20, 128), true),
    new arrow.Field('fsb', new arrow.FixedSizeBinary(3), true),
    new arrow.Field('big', new arrow.LargeUtf8(), true),
    new arrow.Field('dict', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), true),
  ];
  const schema = new arrow.Schema(fields);
  const valid = (m: number): Uint8Array => Uint8Array.from({ length: Math.ceil(n / 8) }, (_, b) => {
    let byte = 0;
    for (let k = 0; k < 8; k++) if ((b * 8 + k) % m !== 1) byte |= 1 << k;
    return byte;
  });
  const cols: Record<string, arrow.Vector> = {
    id: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => i), new arrow.Int32()),
    cs: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (version !== '2.0' && i % 9 === 8 ? null : { v: i % 3 ? 'same' : null, k: i % 4 ? 5 : null })), st),
    ls: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => ({ v: `v${k}`, k: i })))), listOf(st)),
    ts: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampNanosecond('UTC'), length: n, nullBitmap: valid(6), data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000_007n) })),
    dec: arrow.makeVector(arrow.makeData({ type: new arrow.Decimal(2, 20, 128), length: n, nullBitmap: valid(7), data: Uint32Array.from({ length: n * 4 }, (_, k) => (k % 4 === 0 ? k * 13 : 0)) })),
    fsb: arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeBinary(3), length: n, nullBitmap: valid(8), data: Uint8Array.from({ length: n * 3 }, (_, k) => k & 255) })),
    big: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 10 === 1 ? null : `big${i % 13}`)), new arrow.LargeUtf8()),
    dict: arrow.makeVector(arrow.makeData({ type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), length: n, nullBitmap: valid(5), data: Int32Array.from({ length: n }, (_, i) => i % 3), dictionary: arrow.vectorFromArray(['p', 'q', 'r'], new arrow.Utf8()) })),
  };
  await createLanceDbTable(dir, schema, new arrow.Table(schema, cols as never) as never, version);
  return onlyDataFile(dir);
}

describe('Lance reader on hostile nested, temporal, decimal, binary and dictionary columns', () => {
  let tmp: ReturnType<typeof tempDir>;
  const files: Uint8Array[] = [];

  beforeAll(async () => {
    tmp = tempDir('vego-format-hn-');
    files.push(await lanceFile(path.join(tmp.dir, 'a'), '2.0'));
    files.push(await lanceFile(path.join(tmp.dir, 'b'), null));
  });
  afterAll(() => tmp.cleanup());

  it('reads the undamaged files', () => {
    for (const f of files) expect(attempt(f)).toBeNull();
  });

  it('gives typed errors for truncated files', () => {
    const r = rng(5);
    for (const f of files) {
      for (let t = 0; t < 100; t++) expect(attempt(f.subarray(0, Math.floor(r() * f.length)))).not.toBeNull();
    }
  });

  it('gives typed errors or data, never a crash, for 800 seeded bit flips', () => {
    const r = rng(17);
    for (let t = 0; t < 800; t++) {
      const f = files[t % files.length]!;
      const copy = f.slice();
      const tail = Math.min(copy.length, 3000);
      const at = t % 2 === 0 ? copy.length - 1 - Math.floor(r() * tail) : Math.floor(r() * copy.length);
      copy[at]! ^= 1 << Math.floor(r() * 8);
      attempt(copy);
    }
  });

  it('refuses constant pages whose value buffer or levels lie', () => {
    const layout = { kind: 'constant', layers: [3, 3], inlineValue: null, rep: null, def: null, numRepValues: 0, numDefValues: 0 } as const;
    const value = Uint8Array.of(2, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 120);
    const def = Uint8Array.of(0, 0, 2, 0, 1, 0);
    expect(decodePage(layout as never, [value, new Uint8Array(0), def], 3, 'p').values.numValues).toBe(3);
    const lying = value.slice();
    lying[8] = 200; // says 200 value bytes, holds 1
    expect(() => decodePage(layout as never, [lying, new Uint8Array(0), def], 3, 'p')).toThrow(F.CorruptDataError);
    expect(() => decodePage(layout as never, [value, new Uint8Array(0), def.subarray(0, 5)], 3, 'p')).toThrow(F.CorruptDataError);
    expect(() => decodePage(layout as never, [value.subarray(0, 3), new Uint8Array(0), def], 3, 'p')).toThrow(F.VegoError);
    expect(() => decodePage({ ...layout, def: { kind: 'flat', bitsPerValue: 16, compression: 'none' }, numDefValues: 2 ** 40 } as never, [value, new Uint8Array(0), def], 3, 'p')).toThrow(F.CorruptDataError);
  });
});
