// The fuzz corpus: the undamaged inputs every case starts from, written at run time by us (@vego/*
// built dist) and by LanceDB (@lancedb/lancedb), small so that one case takes milliseconds.
//
//   <dir>/files/*.lance        single Lance files (ours: 2.0 with plain, dictionary, bit-packed and
//                              zstd pages, nested types; LanceDB's: 2.0, 2.1 and 2.2 data files)
//   <dir>/datasets/<name>/     whole datasets: manifests, data files, deletion files, transactions
//   <dir>/indexes/<name>/      HNSW indexes saved with saveToLance (nodes, connections, metadata tables)
//   <dir>/codec/<name>.json    encodeArray output of every encoding kind (description + base64 buffers)
//   <dir>/zstd/<name>.bin      zstdCompress output (single and multi-frame)
//   <dir>/corpus.json          the list of targets: { name, kind, path, ... }
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVego, requireFromWorkspace, seededRandom } from './lib.mjs';

/** Type names the codec targets use; the worker maps them back to @vego types. */
export const CODEC_TYPES = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Uint32', 'Float32', 'Float64', 'Utf8', 'Binary'];

function ourFiles(V, out) {
  const { Field, Schema, RecordBatch, vectorFrom, MemorySink, LanceFileWriter, ZSTD_BUFFER_CODEC } = V;
  const fsl = new V.FixedSizeList(new Field('item', new V.Float32()), 4);
  const list = new V.List(new Field('item', new V.Int32()));
  const st = new V.Struct([new Field('a', new V.Int16()), new Field('b', new V.Utf8())]);
  const schema = new Schema([
    new Field('i', new V.Int64()),
    new Field('small', new V.Int32()),
    new Field('s', new V.Utf8()),
    new Field('cat', new V.Utf8()),
    new Field('v', fsl),
    new Field('l', list),
    new Field('st', st),
    new Field('b', new V.Bool()),
    new Field('f', new V.Float64()),
  ]);
  const n = 150;
  const batch = new RecordBatch(schema, [
    vectorFrom(new V.Int64(), Array.from({ length: n }, (_, i) => (i % 5 ? BigInt(i * 1000) : null))),
    vectorFrom(new V.Int32(), Array.from({ length: n }, (_, i) => i % 13)),
    vectorFrom(new V.Utf8(), Array.from({ length: n }, (_, i) => (i % 4 ? `str${i}` : null))),
    vectorFrom(new V.Utf8(), Array.from({ length: n }, (_, i) => ['red', 'green', 'blue'][i % 3])),
    vectorFrom(fsl, Array.from({ length: n }, (_, i) => (i % 7 ? [i, i + 0.5, -i, 0] : null))),
    vectorFrom(list, Array.from({ length: n }, (_, i) => (i % 6 ? [i, i + 1] : null))),
    vectorFrom(st, Array.from({ length: n }, (_, i) => ({ a: i, b: `b${i}` }))),
    vectorFrom(new V.Bool(), Array.from({ length: n }, (_, i) => i % 3 === 0)),
    vectorFrom(new V.Float64(), Array.from({ length: n }, (_, i) => i / 7)),
  ]);
  const variants = {
    'ours-2.0-default': {},
    'ours-2.0-plain': { dictionary: false, bitPacking: false },
    'ours-2.0-small-pages': { pageByteLength: 256 },
    'ours-2.0-zstd': { compression: { codec: ZSTD_BUFFER_CODEC, level: 3 }, pageByteLength: 512 },
  };
  for (const [name, options] of Object.entries(variants)) {
    const sink = new MemorySink();
    const w = new LanceFileWriter(sink, schema, options);
    w.write(batch);
    w.finish();
    const path = join('files', `${name}.lance`);
    writeFileSync(join(out, path), sink.toBytes());
    yieldTarget(out, { name: `file:${name}`, kind: 'file', path });
  }
}

// The targets found so far by the builders below (buildCorpus empties it first).
const targets = [];
function yieldTarget(_out, t) {
  targets.push(t);
}

function ourDatasets(V, out) {
  const { Dataset } = V;
  const rows = (from, count) => Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { id: i, name: i % 4 === 0 ? null : `n${i % 9}`, score: i / 3, tag: ['a', 'b', 'c'][i % 3] };
  });
  const dir = join(out, 'datasets', 'ours');
  let ds = Dataset.createSync(dir, rows(0, 120), { maxRowsPerFile: 50 });
  ds = ds.appendSync(rows(120, 60));
  ds = ds.deleteRowsSync([0, 3, 7, 64, 150]);
  ds = ds.deleteSync((r) => r.id % 11 === 0, { columns: ['id'] });
  ds.closeSync();
  yieldTarget(out, { name: 'dataset:ours', kind: 'dataset', path: join('datasets', 'ours') });
  const compacted = join(out, 'datasets', 'ours-compacted');
  cpSync(dir, compacted, { recursive: true });
  const c = Dataset.openSync(compacted);
  c.compactSync();
  c.closeSync();
  yieldTarget(out, { name: 'dataset:ours-compacted', kind: 'dataset', path: join('datasets', 'ours-compacted') });
}

function ourIndexes(V, out) {
  const { HNSW } = V;
  const r = seededRandom(4242);
  const dim = 8;
  const n = 60;
  const vectors = new Float32Array(n * dim).map(() => r() * 2 - 1);
  const index = new HNSW({ dimension: dim, distance: 'l2', M: 6, efConstruction: 32 });
  index.addBatch(vectors);
  const dir = join(out, 'indexes', 'hnsw');
  index.saveToLanceSync(dir);
  // An incremental save on top: deletes, superseded rows, a second version of each table.
  index.delete(3);
  index.delete(17);
  index.saveToLanceSync(dir);
  yieldTarget(out, { name: 'index:hnsw', kind: 'index', path: join('indexes', 'hnsw'), dimension: dim });
}

function codecOutputs(V, out) {
  const r = seededRandom(777);
  const n = 200;
  const make = (typeName, withNulls) => {
    const type = new V[typeName]();
    const values = Array.from({ length: n }, (_, i) => {
      if (withNulls && i % 9 === 0) return null;
      const small = Math.floor(r() * 6);
      switch (typeName) {
        case 'Bool': return small % 2 === 0;
        case 'Int64': return BigInt(small * 1000 - 2000);
        case 'Float32': case 'Float64': return small / 4;
        case 'Utf8': return `v${small}`;
        case 'Binary': return new Uint8Array([small, 1, 2]);
        case 'Int8': case 'Int16': case 'Int32': return small - 3;
        default: return small;
      }
    });
    return V.vectorFrom(type, values).data;
  };
  for (const typeName of CODEC_TYPES) {
    for (const kind of V.applicableEncodings(new V[typeName]())) {
      for (const withNulls of [false, true]) {
        const options = { encoding: kind };
        const enc = V.encodeArray(make(typeName, withNulls), options);
        const name = `${typeName}-${kind}${withNulls ? '-nulls' : ''}`;
        const path = join('codec', `${name}.json`);
        const json = { typeName, encoded: { ...enc, buffers: enc.buffers.map((b) => Buffer.from(b).toString('base64')) } };
        writeFileSync(join(out, path), JSON.stringify(json));
        yieldTarget(out, { name: `codec:${name}`, kind: 'codec', path });
      }
    }
  }
}

function zstdOutputs(V, out) {
  const r = seededRandom(99);
  const inputs = {
    small: new Uint8Array(3000).map(() => Math.floor(r() * 8)),
    random: new Uint8Array(2000).map(() => Math.floor(r() * 256)),
    'multi-frame': new Uint8Array(V.ZSTD_FRAME_BYTES + 5000).map((_, i) => (i % 251) ^ (i >>> 9)),
  };
  for (const [name, bytes] of Object.entries(inputs)) {
    const path = join('zstd', `${name}.bin`);
    writeFileSync(join(out, path), V.zstdCompress(bytes, 3));
    yieldTarget(out, { name: `zstd:${name}`, kind: 'zstd', path, byteLength: bytes.length });
  }
}

async function lanceDbInputs(out) {
  const lancedb = requireFromWorkspace('@lancedb/lancedb');
  const arrow = requireFromWorkspace('apache-arrow');
  const f32 = new arrow.Field('item', new arrow.Float32(), true);
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('big', new arrow.Int64(), true),
    new arrow.Field('s', new arrow.Utf8(), true),
    new arrow.Field('cat', new arrow.Utf8(), true),
    new arrow.Field('f', new arrow.Float64(), true),
    new arrow.Field('flag', new arrow.Bool(), true),
    new arrow.Field('v', new arrow.FixedSizeList(8, f32), true),
    new arrow.Field('l', new arrow.List(new arrow.Field('item', new arrow.Int64(), true)), true),
  ]);
  const rows = (from, count) => Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      id: i,
      big: i % 6 === 0 ? null : BigInt(i) * 1000000007n,
      s: i % 7 === 0 ? null : `s${i}-${'x'.repeat(i % 5)}`,
      cat: ['a', 'bb', 'ccc'][i % 3],
      f: i % 8 === 0 ? null : i / 3,
      flag: i % 5 === 0 ? null : i % 2 === 0,
      v: i % 9 === 4 ? null : Array.from({ length: 8 }, (_, d) => i + d / 8),
      l: i % 5 === 0 ? null : Array.from({ length: i % 4 }, (_, d) => BigInt(i + d)),
    };
  });
  const root = join(out, 'lancedb-work');
  const db = await lancedb.connect(root);
  for (const version of ['2.0', '2.1', null]) {
    const label = version ?? '2.2';
    const opts = version === null ? { schema } : { schema, storageOptions: { new_table_data_storage_version: version } };
    const table = await db.createTable(`t${label.replace('.', '_')}`, rows(0, 300), opts);
    const tableDir = join(root, `t${label.replace('.', '_')}.lance`);
    const dataDir = join(tableDir, 'data');
    const first = readdirSync(dataDir)[0];
    const path = join('files', `lancedb-${label}.lance`);
    cpSync(join(dataDir, first), join(out, path));
    yieldTarget(out, { name: `file:lancedb-${label}`, kind: 'file', path });
    // The whole dataset after more fragments and deletions (.arrow, then Roaring .bin deletion files).
    await table.add(rows(300, 100));
    await table.delete('id % 3 = 0');
    await table.delete('id >= 50 AND id < 250');
    const dsPath = join('datasets', `lancedb-${label}`);
    cpSync(tableDir, join(out, dsPath), { recursive: true });
    yieldTarget(out, { name: `dataset:lancedb-${label}`, kind: 'dataset', path: dsPath });
  }
  await db.close?.();
  rmSync(root, { recursive: true, force: true });
}

/**
 * Writes the corpus into `dir` (created; emptied first) and returns its target list (also in corpus.json).
 * @param {string} dir
 * @param {{ lancedb?: boolean }} options - `lancedb: false` skips the LanceDB-written inputs.
 */
export async function buildCorpus(dir, options = {}) {
  targets.length = 0;
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['files', 'datasets', 'indexes', 'codec', 'zstd']) mkdirSync(join(dir, sub), { recursive: true });
  const V = loadVego();
  await V.initZstd();
  ourFiles(V, dir);
  ourDatasets(V, dir);
  ourIndexes(V, dir);
  codecOutputs(V, dir);
  zstdOutputs(V, dir);
  if (options.lancedb !== false) await lanceDbInputs(dir);
  const list = targets.slice();
  writeFileSync(join(dir, 'corpus.json'), JSON.stringify(list, null, 1));
  return list;
}

/** All files under `dir`, relative, sorted (the mutation picks one by index). */
export function filesUnder(dir, base = '') {
  const out = [];
  for (const name of readdirSync(join(dir, base)).sort()) {
    const rel = base === '' ? name : join(base, name);
    if (statSync(join(dir, rel)).isDirectory()) out.push(...filesUnder(dir, rel));
    else out.push(rel);
  }
  return out;
}
