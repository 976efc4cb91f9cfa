/**
 * Issue 11 item 7 and the write matrix: datasets of storage version 2.0, 2.1 and 2.2 created here, then
 * written by both sides in turn (LanceDB appends, we append, LanceDB deletes, we delete, we compact,
 * LanceDB appends again), read by both sides after every step and compared with the values this test
 * generated. The test prints the measured type × version matrix.
 */
import * as lancedb from '@lancedb/lancedb';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Binary, Bool, Dataset, Field, FixedSizeList, Float32, Float64, Int16, Int32, Int64, Int8, List, RecordBatch, Schema, Struct,
  Uint16, Uint32, Uint64, Uint8, Utf8, vectorFrom,
} from '@vego/io';
import type { DataType, StorageVersion } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

interface Column {
  name: string;
  type: DataType;
  nullable: boolean;
  /** Value of row `i` (`ours` rows may be null; LanceDB's appended rows never are, see below). */
  gen: (i: number, withNulls: boolean) => unknown;
}

const nul = (i: number, every: number, withNulls: boolean): boolean => withNulls && i % every === 0;
const COLUMNS: Column[] = [
  { name: 'id', type: new Int32(), nullable: false, gen: (i) => i },
  { name: 'i8', type: new Int8(), nullable: true, gen: (i, w) => (nul(i, 5, w) ? null : ((i * 37) % 256) - 128) },
  { name: 'i16', type: new Int16(), nullable: true, gen: (i, w) => (nul(i, 6, w) ? null : ((i * 1237) % 65536) - 32768) },
  { name: 'i32', type: new Int32(), nullable: true, gen: (i, w) => (nul(i, 7, w) ? null : i * 3 - 500) },
  { name: 'i64', type: new Int64(), nullable: true, gen: (i, w) => (nul(i, 4, w) ? null : BigInt(i) * -123456789012n) },
  { name: 'u8', type: new Uint8(), nullable: false, gen: (i) => (i * 13) % 256 },
  { name: 'u16', type: new Uint16(), nullable: true, gen: (i, w) => (nul(i, 9, w) ? null : (i * 1009) % 65536) },
  { name: 'u32', type: new Uint32(), nullable: true, gen: (i, w) => (nul(i, 3, w) ? null : (i * 2654435761) % 4294967296) },
  { name: 'u64', type: new Uint64(), nullable: true, gen: (i, w) => (nul(i, 8, w) ? null : (BigInt(i) * 18446744073709551n) % 18446744073709551616n) },
  { name: 'f32', type: new Float32(), nullable: true, gen: (i, w) => (nul(i, 5, w) ? null : i / 4) },
  { name: 'f64', type: new Float64(), nullable: true, gen: (i, w) => (nul(i, 7, w) ? null : i * 1.5 - 0.25) },
  { name: 'flag', type: new Bool(), nullable: true, gen: (i, w) => (nul(i, 4, w) ? null : i % 3 === 0) },
  { name: 's', type: new Utf8(), nullable: true, gen: (i, w) => (nul(i, 6, w) ? null : `s${i}-${'x'.repeat(i % 13)}`) },
  { name: 'bin', type: new Binary(), nullable: true, gen: (i, w) => (nul(i, 5, w) ? null : Uint8Array.from({ length: 1 + (i % 7) }, (_, k) => (k * i) & 255)) },
  { name: 'vec8', type: new FixedSizeList(new Field('item', new Float32(), true), 8), nullable: true, gen: (i, w) => (nul(i, 10, w) ? null : Array.from({ length: 8 }, (_, k) => i + k / 8)) },
  { name: 'vector', type: new FixedSizeList(new Field('item', new Float32(), true), 64), nullable: false, gen: (i) => Array.from({ length: 64 }, (_, k) => i * 0.5 + k) },
  { name: 'l', type: new List(new Field('item', new Int32(), true)), nullable: true, gen: (i, w) => (nul(i, 6, w) ? null : Array.from({ length: 1 + (i % 4) }, (_, k) => k * i)) },
  { name: 'ls', type: new List(new Field('item', new Utf8(), true)), nullable: true, gen: (i, w) => (nul(i, 5, w) ? null : Array.from({ length: 1 + ((i * 3) % 5) }, (_, k) => `e${k}`)) },
  // Null structs only where the file version holds them (Lance 2.0 files cannot: our 2.0 writer refuses them).
  { name: 'st', type: new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]), nullable: true, gen: (i, w) => (nul(i, 11, w && structNulls) ? null : { a: nul(i, 4, w) ? null : i * 2, b: `b${i}` }) },
];
let structNulls = false;

const SCHEMA = new Schema(COLUMNS.map((c) => new Field(c.name, c.type, c.nullable)));

function batch(from: number, to: number, withNulls: boolean): RecordBatch {
  return new RecordBatch(SCHEMA, COLUMNS.map((c) => vectorFrom(c.type, Array.from({ length: to - from }, (_, k) => c.gen(from + k, withNulls)))) as never);
}

/** A value made comparable: typed arrays and vectors to arrays, bigints to strings, struct rows to objects. */
function norm(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, norm);
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown> & { toJSON?: () => unknown; toArray?: () => unknown };
    if (typeof o.toArray === 'function' && !('a' in o)) return norm(o.toArray());
    if (typeof o.toJSON === 'function') return norm(o.toJSON());
    return Object.fromEntries(Object.keys(o).map((k) => [k, norm(o[k])]));
  }
  return v;
}

interface Expected {
  rows: Map<number, Record<string, unknown>>;
}

function expectedRows(e: Expected): Record<string, unknown>[] {
  return [...e.rows.values()].sort((a, b) => (a.id as number) - (b.id as number));
}

function add(e: Expected, from: number, to: number, withNulls: boolean): void {
  for (let i = from; i < to; i++) e.rows.set(i, Object.fromEntries(COLUMNS.map((c) => [c.name, norm(c.gen(i, withNulls))])));
}

function oursRows(ds: Dataset): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const b of ds.scanSync()) for (let i = 0; i < b.numRows; i++) out.push(Object.fromEntries(COLUMNS.map((c) => [c.name, norm(b.column(c.name).get(i))])));
  return out.sort((a, b) => (a.id as number) - (b.id as number));
}

async function theirRows(t: lancedb.Table): Promise<Record<string, unknown>[]> {
  await t.checkoutLatest();
  const got = (await t.query().limit(1_000_000).toArray()) as Record<string, unknown>[];
  return got.map((r) => Object.fromEntries(COLUMNS.map((c) => [c.name, norm(r[c.name])]))).sort((a, b) => (a.id as number) - (b.id as number));
}

/** Columns whose values differ (empty when exact). */
function wrongColumns(got: Record<string, unknown>[], want: Record<string, unknown>[], skip: ReadonlySet<string> = new Set()): string[] {
  if (got.length !== want.length) return [`row count ${got.length} ≠ ${want.length}`];
  return COLUMNS.filter((c) => !skip.has(c.name) && JSON.stringify(got.map((r) => r[c.name])) !== JSON.stringify(want.map((r) => r[c.name]))).map((c) => c.name);
}

/**
 * LanceDB-side rows as plain objects of the types its Arrow conversion takes for this schema (with nulls
 * everywhere but whole structs: LanceDB's schema inference fails on a null struct row), added to `e` too.
 */
function lanceRows(e: Expected, from: number, to: number): Record<string, unknown>[] {
  const keep = structNulls;
  structNulls = false;
  try {
    add(e, from, to, true);
    return Array.from({ length: to - from }, (_, k) => Object.fromEntries(COLUMNS.map((c) => [c.name, c.gen(from + k, true)])));
  } finally {
    structNulls = keep;
  }
}

describe.each(['2.0', '2.1', '2.2'] as StorageVersion[])('mixed writers on a Lance %s dataset stay exact both ways', (version) => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir(`mixed-${version}`);
    structNulls = version !== '2.0';
  });
  afterAll(() => removeDir(root));

  it('create here → LanceDB appends → append here → LanceDB deletes → delete here → compact here → LanceDB appends', async () => {
    const dir = path.join(root, 't.lance');
    const e: Expected = { rows: new Map() };
    const steps: string[] = [];
    const check = async (step: string, t: lancedb.Table | null): Promise<void> => {
      const ds = await Dataset.open(dir);
      const want = expectedRows(e);
      const ours = wrongColumns(oursRows(ds), want);
      await ds.close();
      const db = await lancedb.connect(root);
      const table = t ?? (await db.openTable('t'));
      const theirs = wrongColumns(await theirRows(table), want);
      steps.push(`${step}: ours ${ours.length === 0 ? 'exact' : ours.join(',')}; LanceDB ${theirs.length === 0 ? 'exact' : theirs.join(',')}`);
      expect({ step, ours, theirs }).toEqual({ step, ours: [], theirs: [] });
    };
    let ds = await Dataset.create(dir, batch(0, 1100, true), { storageVersion: version });
    add(e, 0, 1100, true);
    const files = ds.fragmentFiles().flatMap((f) => f.paths);
    await ds.close();
    await check('created here', null);
    const db = await lancedb.connect(root);
    const t = await db.openTable('t');
    // LanceDB's rows carry nulls too (in 2.1/2.2 its pages then use RLE levels and constant layouts with level buffers).
    await t.add(lanceRows(e, 1100, 1300));
    await check('LanceDB appended', t);
    ds = await Dataset.open(dir);
    const appended = await ds.append(batch(1300, 1700, true));
    add(e, 1300, 1700, true);
    await Promise.all([ds.close(), appended.close()]);
    await check('appended here', t);
    await t.delete('id % 7 = 3');
    for (const id of [...e.rows.keys()]) if (id % 7 === 3) e.rows.delete(id);
    await check('LanceDB deleted', t);
    ds = await Dataset.open(dir);
    const deleted = await ds.delete((r) => (r.id as number) % 5 === 1, { columns: ['id'] });
    for (const id of [...e.rows.keys()]) if (id % 5 === 1) e.rows.delete(id);
    await check('deleted here', t);
    const { dataset: compacted } = await deleted.compact();
    await Promise.all([ds.close(), deleted.close()]);
    // Compacted files keep the dataset's version: a 2.0 footer says 0.3, 2.1/2.2 footers 2.1/2.2.
    const footer = version === '2.0' ? [0, 3] : [2, Number(version.slice(2))];
    for (const p of compacted.fragmentFiles().flatMap((f) => f.paths)) {
      const b = fs.readFileSync(p);
      expect([b.readUInt16LE(b.length - 8), b.readUInt16LE(b.length - 6)]).toEqual(footer);
    }
    expect(files.length).toBeGreaterThan(0);
    await compacted.close();
    await check('compacted here', t);
    await t.add(lanceRows(e, 5000, 5100));
    await check('LanceDB appended again', t);
    // The measured write matrix for this version (every column, both readers, after every step).
    console.log(`storage version ${version}\n  ${steps.join('\n  ')}`);
  });
});
