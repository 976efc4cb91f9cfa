// @vego/format against LanceDB: write and read MB/s of Lance 2.0 files, same data, same run; reading LanceDB's
// default (2.2) files too.
// Ours: in memory, and (for fairness) also writing the bytes to a file with fs. LanceDB: a temp dir on disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { seededRandom as rng } from '../lib/data.mjs';

export const title = '@vego/format: Lance 2.0 write/read, 2.2 write/read per column kind, vs LanceDB';


async function time(fn, reps = 3) {
  let best = Infinity;
  let out;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    out = await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds: best, out };
}

function datasets(n) {
  const r = rng(1);
  const dim = 128;
  // SIFT-like: small non-negative integers stored as float32
  const vec = Float32Array.from({ length: n * dim }, () => Math.floor(r() * r() * 140));
  const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
  const score = Float64Array.from({ length: n }, () => r() * 1000);
  const names = Array.from({ length: n }, (_, i) => `user-${i}-${(i * 2654435761) % 100000}`);
  const cats = Array.from({ length: n }, (_, i) => ['red', 'green', 'blue', 'cyan', 'magenta'][i % 5]);
  const flags = Array.from({ length: n }, () => r() < 0.5);
  return { dim, vec, ids, score, names, cats, flags };
}

function oursVector(d, n) {
  const schema = new F.Schema([new F.Field('vector', new F.FixedSizeList(new F.Field('item', new F.Float32()), d.dim))]);
  return { schema, batch: new F.RecordBatch(schema, [F.fixedSizeListFromFloat32(d.vec, d.dim)]) };
}

function oursMixed(d) {
  const schema = new F.Schema([
    new F.Field('id', new F.Int64(), false),
    new F.Field('score', new F.Float64()),
    new F.Field('name', new F.Utf8()),
    new F.Field('category', new F.Utf8()),
    new F.Field('flag', new F.Bool()),
  ]);
  return {
    schema,
    batch: new F.RecordBatch(schema, [
      F.vectorFromTypedArray(d.ids),
      F.vectorFromTypedArray(d.score),
      F.utf8FromStrings(d.names),
      F.utf8FromStrings(d.cats),
      F.vectorFrom(new F.Bool(), d.flags),
    ]),
  };
}

function arrowVector(d, n) {
  const child = arrow.makeData({ type: new arrow.Float32(), length: n * d.dim, data: d.vec });
  const type = new arrow.FixedSizeList(d.dim, new arrow.Field('item', new arrow.Float32(), true));
  const data = arrow.makeData({ type, length: n, child });
  return new arrow.Table({ vector: arrow.makeVector(data) });
}

function arrowMixed(d) {
  return new arrow.Table({
    id: arrow.makeVector(d.ids),
    score: arrow.makeVector(d.score),
    name: arrow.vectorFromArray(d.names, new arrow.Utf8()),
    category: arrow.vectorFromArray(d.cats, new arrow.Utf8()),
    flag: arrow.vectorFromArray(d.flags, new arrow.Bool()),
  });
}

function writeOurs(schema, batch, options = {}) {
  const sink = new F.MemorySink(1 << 20);
  const w = new F.LanceFileWriter(sink, schema, options);
  w.write(batch);
  w.finish();
  return sink.toBytes();
}

function dirBytes(dir) {
  let s = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    s += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return s;
}

export async function run({ quick, log }) {
  const n = quick ? 20000 : 100000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-bench-format-'));
  const rows = [];
  const sizeRows = [];
  const v22Rows = [];
  const kindRows = [];
  const raw = { n };
  await F.initZstd();
  try {
    const d = datasets(n);
    const db = await lancedb.connect(tmp);
    for (const [name, ours, theirs, rawBytes] of [
      [`vectors ${n}×128 float32`, oursVector(d, n), arrowVector(d, n), n * 128 * 4],
      [`mixed ${n} rows (int64, float64, 2 strings, bool)`, oursMixed(d), arrowMixed(d), null],
    ]) {
      const file = path.join(tmp, `ours-${rows.length}.lance`);
      const w = await time(() => writeOurs(ours.schema, ours.batch));
      const bytes = w.out;
      const mb = (rawBytes ?? bytes.length) / 1e6;
      const wf = await time(() => fs.writeFileSync(file, writeOurs(ours.schema, ours.batch)));
      const rd = await time(() => F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync());
      const rf = await time(() => F.LanceFileReader.openSync(new F.MemorySource(new Uint8Array(fs.readFileSync(file)))).readSync());
      let k = 0;
      const lw = await time(async () => {
        await db.createTable(`t${rows.length}_${k++}`, theirs, { storageOptions: { new_table_data_storage_version: '2.0' } });
      });
      const t = await db.openTable(`t${rows.length}_0`);
      const lr = await time(() => t.query().limit(n).toArrow());
      log(`${name}: ours write ${(mb / w.seconds).toFixed(0)} MB/s, LanceDB ${(mb / lw.seconds).toFixed(0)} MB/s`);
      rows.push([name, mb, mb / w.seconds, mb / wf.seconds, mb / lw.seconds, (mb / wf.seconds) / (mb / lw.seconds), mb / rd.seconds, mb / rf.seconds, mb / lr.seconds, (mb / rf.seconds) / (mb / lr.seconds)]);
      const z = writeOurs(ours.schema, ours.batch, { compression: { codec: F.ZSTD_BUFFER_CODEC } });
      const plainOnly = writeOurs(ours.schema, ours.batch, { dictionary: false, bitPacking: false });
      // LanceDB's default file version (2.2), read by LanceDB and by us.
      await db.createTable(`v22_${rows.length}`, theirs);
      const t22 = await db.openTable(`v22_${rows.length}`);
      const dataDir = path.join(tmp, `v22_${rows.length}.lance`, 'data');
      const file22 = path.join(dataDir, fs.readdirSync(dataDir)[0]);
      const bytes22 = new Uint8Array(fs.readFileSync(file22));
      const r22 = await time(() => F.LanceFileReader.openSync(new F.MemorySource(new Uint8Array(fs.readFileSync(file22)))).readSync());
      const l22 = await time(() => t22.query().limit(n).toArrow());
      // A 100-row range in the middle: only the chunks/items holding the rows are read and decoded.
      const counted = { bytes: 0 };
      const mem22 = new F.MemorySource(bytes22);
      const src22 = { byteLength: mem22.byteLength, readSync: (o, l) => { counted.bytes += l; return mem22.readSync(o, l); } };
      const rr22 = await time(() => { counted.bytes = 0; return F.LanceFileReader.openSync(src22).readSync({ offset: n >> 1, limit: 100 }); }, 5);
      v22Rows.push([name, bytes22.length, mb / r22.seconds, mb / l22.seconds, (mb / r22.seconds) / (mb / l22.seconds), rr22.seconds * 1e3, counted.bytes]);
      sizeRows.push([name, plainOnly.length, bytes.length, z.length, dirBytes(path.join(tmp, `t${rows.length - 1}_0.lance`, 'data')), bytes22.length]);
      raw[name] = { oursWriteS: w.seconds, oursWriteFileS: wf.seconds, lanceWriteS: lw.seconds, oursReadS: rd.seconds, oursReadFileS: rf.seconds, lanceReadS: lr.seconds, bytes: bytes.length, zstdBytes: z.length, plainBytes: plainOnly.length, v22Bytes: bytes22.length, oursRead22S: r22.seconds, lanceRead22S: l22.seconds, oursRange22S: rr22.seconds, oursRange22Bytes: counted.bytes };
    }
    // Lance 2.2 (LanceDB's default) per column kind: our writer against LanceDB's, same data, same run.
    const small = Int32Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
    const kinds = [
      ['int64 ids 0…n', new F.Field('c', new F.Int64(), false), F.vectorFromTypedArray(d.ids), arrow.makeVector(d.ids), n * 8],
      ['int32 0…999', new F.Field('c', new F.Int32(), false), F.vectorFromTypedArray(small), arrow.makeVector(small), n * 4],
      ['float64 random', new F.Field('c', new F.Float64()), F.vectorFromTypedArray(d.score), arrow.makeVector(d.score), n * 8],
      ['utf8 names (distinct)', new F.Field('c', new F.Utf8()), F.utf8FromStrings(d.names), arrow.vectorFromArray(d.names, new arrow.Utf8()), d.names.reduce((a, x) => a + x.length, 0)],
      ['utf8 categories (5 values)', new F.Field('c', new F.Utf8()), F.utf8FromStrings(d.cats), arrow.vectorFromArray(d.cats, new arrow.Utf8()), d.cats.reduce((a, x) => a + x.length, 0)],
      ['bool', new F.Field('c', new F.Bool()), F.vectorFrom(new F.Bool(), d.flags), arrow.vectorFromArray(d.flags, new arrow.Bool()), n / 8],
      ['vectors 128×float32', new F.Field('c', new F.FixedSizeList(new F.Field('item', new F.Float32()), d.dim)), F.fixedSizeListFromFloat32(d.vec, d.dim), arrowVector(d, n).getChild('vector'), n * d.dim * 4],
    ];
    for (const [kind, field, ourVec, theirVec, rawBytes] of kinds) {
      const schema = new F.Schema([field]);
      const batch = new F.RecordBatch(schema, [ourVec]);
      const mb = rawBytes / 1e6;
      const w = await time(() => writeOurs(schema, batch, { version: '2.2' }));
      const rd = await time(() => F.LanceFileReader.openSync(new F.MemorySource(w.out)).readSync());
      let k = 0;
      const name = `k${kindRows.length}`;
      const lw = await time(async () => {
        await db.createTable(`${name}_${k++}`, new arrow.Table({ c: theirVec }));
      });
      const t = await db.openTable(`${name}_0`);
      const lr = await time(() => t.query().limit(n).toArrow());
      const theirBytes = dirBytes(path.join(tmp, `${name}_0.lance`, 'data'));
      log(`2.2 ${kind}: ours ${w.out.length} B, LanceDB ${theirBytes} B; write ${(mb / w.seconds).toFixed(0)} vs ${(mb / lw.seconds).toFixed(0)} MB/s`);
      kindRows.push([kind, w.out.length, theirBytes, w.out.length / theirBytes, mb / w.seconds, mb / lw.seconds, mb / rd.seconds, mb / lr.seconds]);
      raw[`v22 ${kind}`] = { oursBytes: w.out.length, lanceBytes: theirBytes, oursWriteS: w.seconds, lanceWriteS: lw.seconds, oursReadS: rd.seconds, lanceReadS: lr.seconds, rawBytes };
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return {
    tables: [
      {
        title: `Write and read throughput (${n} rows, best of 3)`,
        columns: ['data', 'MB', 'ours write MB/s (memory)', 'ours write MB/s (+fs file)', 'LanceDB write MB/s', 'write ratio (file/LanceDB)', 'ours read MB/s (memory)', 'ours read MB/s (fs file)', 'LanceDB read MB/s', 'read ratio (file/LanceDB)'],
        rows,
        note: 'MB = raw vector bytes for the vector set, our plain file size for the mixed set. LanceDB timings include its table/manifest commit and Arrow conversion in JS; ours are one Lance file.',
      },
      {
        title: 'File bytes by encoding',
        columns: ['data', 'ours plain only', 'ours default (dictionary + bit-packing)', 'ours default + flat zstd', 'LanceDB 2.0 data file', 'LanceDB 2.2 data file'],
        rows: sizeRows,
        note: 'Our default dictionary-encodes low-cardinality Utf8 pages (u8 indices) and bit-packs non-null 8/16/32-bit integers (the int64 ids here stay flat); zstd applies to fixed-width value buffers. LanceDB 2.2 uses its 2.1+ mini-block/full-zip encodings.',
      },
      {
        title: `Reading LanceDB's default Lance 2.2 data file (${n} rows, best of 3)`,
        columns: ['data', 'file bytes', 'ours read MB/s (fs file)', 'LanceDB read MB/s', 'read ratio (ours/LanceDB)', 'ours 100-row range ms (open + read)', 'ours 100-row range bytes read'],
        rows: v22Rows,
        note: 'The same MB as the first table. Ours: LanceFileReader over the file bytes (whole columns decoded); LanceDB: query().toArrow() on the table. The range read (rows n/2 … n/2+100, best of 5) reads only the mini-block chunks and full-zip items holding the rows.',
      },
      {
        title: `Lance 2.2 per column kind: our writer vs LanceDB's (${n} rows, one column, best of 3)`,
        columns: ['column', 'ours file bytes', 'LanceDB data bytes', 'size ratio (ours/LanceDB)', 'ours write MB/s (memory)', 'LanceDB write MB/s', 'ours read MB/s (our file, memory)', 'LanceDB read MB/s (its table)'],
        rows: kindRows,
        note: 'MB = raw value bytes (strings: their UTF-8 bytes; bools: n/8). Ours: LanceFileWriter({ version: "2.2" }) into memory and LanceFileReader over those bytes. LanceDB: createTable with its defaults (2.2) and query().toArrow(), which include its table commit and Arrow conversion. We write plain, bit-packed and RLE integers, page dictionaries and FSST strings (our own trainer, chosen per page when smaller); LanceDB also LZ4-compresses its 2.2 page dictionaries.',
      },
    ],
    raw,
  };
}
