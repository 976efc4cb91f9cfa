/**
 * What the browser test runs inside the page (bundled by esbuild from the built packages), and what
 * it runs again under Node (jest maps `@vego/*` to the sources) to compare: the same seeded data
 * must give the same graph and the same answers on both. Uses only public entries of the browser-safe
 * tiers plus `@vego/hnsw`; returns plain data (it crosses `page.evaluate`).
 */
import { HNSW } from '@vego/hnsw';
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Utf8,
  Schema,
  RecordBatch,
  vectorFrom,
  fixedSizeListFromFloat32,
  LanceFileWriter,
  LanceFileReader,
  MemorySink,
  MemorySource,
  ZSTD_BUFFER_CODEC,
} from '@vego/format';
import {
  encodeBitPacked,
  decodeBitPacked,
  bitPackedByteLength,
  buildDictionary32,
  applyDictionary32,
  buildDictionaryBinary,
  applyDictionaryBinary,
  encodeArray,
  decodeArray,
  vectorFromTypedArray,
  initZstd,
  zstdCompress,
  zstdDecompress,
} from '@vego/encoding';
import { seededRandom } from '../../../test-support/random';

export const DIMENSION = 32;
export const NUM_VECTORS = 3000;
export const NUM_QUERIES = 100;
export const K = 10;
export const EF = 128;

export interface HnswCheck {
  recall: number;
  /** Every query answered identically (ids and distances) by `HNSW.fromSnapshot(index.toSnapshot())`. */
  snapshotIdentical: boolean;
  /** Filtered search (even ids) returned only even ids, k of them. */
  filterOk: boolean;
  /** Ids and distances of the first 5 queries, to compare across runtimes. */
  sample: { ids: number[]; distances: number[] }[];
  buildMs: number;
}

export interface LanceCheck {
  numRows: number;
  byteLength: number;
  /** Every column read back equals what was written (sync and async reads, plain and zstd files). */
  equal: boolean;
  zstdByteLength: number;
  /** The first 8 bytes of the plain file, to compare across runtimes (the writer is deterministic). */
  head: number[];
}

export interface EncodingCheck {
  bitPackingWidths: number;
  bitPackingOk: boolean;
  dictionaryOk: boolean;
  arrayCodecs: Record<string, boolean>;
  zstdOk: boolean;
}

export interface PageResults {
  hnsw: HnswCheck;
  lance: LanceCheck;
  encoding: EncodingCheck;
}

function randomVectors(seed: number, n: number, dim: number): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = next() * 2 - 1;
  return out;
}

function bruteForce(data: Float32Array, query: Float32Array, k: number): number[] {
  const dim = query.length;
  const n = data.length / dim;
  const dists = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = data[i * dim + j]! - query[j]!;
      s += d * d;
    }
    dists[i] = s;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => dists[a]! - dists[b]!);
  return order.slice(0, k);
}

function checkHnsw(): HnswCheck {
  const data = randomVectors(7, NUM_VECTORS, DIMENSION);
  const queries = randomVectors(8, NUM_QUERIES, DIMENSION);
  const t0 = Date.now();
  const index = new HNSW({ dimension: DIMENSION, distance: 'l2', M: 16, efConstruction: 100, seed: 5 });
  index.addBatch(data);
  const buildMs = Date.now() - t0;
  const copy = HNSW.fromSnapshot(index.toSnapshot());
  let hits = 0;
  let snapshotIdentical = true;
  let filterOk = true;
  const sample: HnswCheck['sample'] = [];
  for (let q = 0; q < NUM_QUERIES; q++) {
    const query = queries.subarray(q * DIMENSION, (q + 1) * DIMENSION);
    const found = index.search(query, K, EF);
    const truth = new Set(bruteForce(data, query, K));
    for (const r of found) if (truth.has(r.id)) hits++;
    const again = copy.search(query, K, EF);
    if (again.length !== found.length || again.some((r, i) => r.id !== found[i]!.id || r.distance !== found[i]!.distance)) snapshotIdentical = false;
    const even = index.search(query, K, { ef: EF, filter: (id) => id % 2 === 0 });
    if (even.length !== K || even.some((r) => r.id % 2 !== 0)) filterOk = false;
    if (q < 5) sample.push({ ids: found.map((r) => r.id), distances: found.map((r) => r.distance) });
  }
  return { recall: hits / (NUM_QUERIES * K), snapshotIdentical, filterOk, sample, buildMs };
}

function lanceBatch(rows: number): RecordBatch {
  const next = seededRandom(11);
  const schema = new Schema([
    new Field('id', new Int32(), false),
    new Field('kind', new Utf8(), true),
    new Field('score', new Float64(), true),
    new Field('vector', new FixedSizeList(new Field('item', new Float32()), 8), true),
  ]);
  const kinds = ['click', 'view', 'buy', 'share', 'ünïcode ✓'];
  const ids: number[] = [];
  const kindValues: (string | null)[] = [];
  const scores: (number | null)[] = [];
  const vectors = new Float32Array(rows * 8);
  for (let i = 0; i < rows; i++) {
    ids.push(i * 3 - 100);
    kindValues.push(i % 17 === 0 ? null : kinds[Math.floor(next() * kinds.length)]!);
    scores.push(i % 23 === 0 ? null : next() * 1e6 - 5e5);
  }
  for (let i = 0; i < vectors.length; i++) vectors[i] = Math.fround(next() - 0.5);
  return new RecordBatch(schema, [
    vectorFrom(new Int32(), ids),
    vectorFrom(new Utf8(), kindValues),
    vectorFrom(new Float64(), scores),
    fixedSizeListFromFloat32(vectors, 8),
  ]);
}

function sameBatch(a: RecordBatch, b: RecordBatch): boolean {
  if (a.numRows !== b.numRows || a.numCols !== b.numCols) return false;
  for (let c = 0; c < a.numCols; c++) {
    const x = a.columnAt(c);
    const y = b.columnAt(c);
    for (let i = 0; i < a.numRows; i++) {
      const u = x.get(i);
      const v = y.get(i);
      if (u instanceof Float32Array || v instanceof Float32Array) {
        if (!(u instanceof Float32Array) || !(v instanceof Float32Array) || u.length !== v.length) return false;
        for (let j = 0; j < u.length; j++) if (!Object.is(u[j], v[j])) return false;
      } else if (!Object.is(u, v)) {
        return false;
      }
    }
  }
  return true;
}

async function checkLance(): Promise<LanceCheck> {
  const batch = lanceBatch(600);
  const sink = new MemorySink();
  const writer = new LanceFileWriter(sink, batch.schema);
  writer.write(batch);
  const summary = writer.finish();
  const bytes = sink.toBytes();
  const reader = LanceFileReader.openSync(new MemorySource(bytes));
  let equal = sameBatch(batch, reader.readSync());
  const asyncReader = await LanceFileReader.open(new MemorySource(bytes));
  const part = await asyncReader.read({ columns: ['vector', 'id'], offset: 100, limit: 50 });
  equal = equal && sameBatch(batch.select(['vector', 'id']).slice(100, 150), part);

  await initZstd();
  const zsink = new MemorySink();
  const zwriter = new LanceFileWriter(zsink, batch.schema, { compression: { codec: ZSTD_BUFFER_CODEC, level: 3 } });
  zwriter.write(batch);
  zwriter.finish();
  const zbytes = zsink.toBytes();
  equal = equal && sameBatch(batch, LanceFileReader.openSync(new MemorySource(zbytes)).readSync());
  return { numRows: summary.numRows, byteLength: bytes.length, equal, zstdByteLength: zbytes.length, head: Array.from(bytes.subarray(0, 8)) };
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

async function checkEncoding(): Promise<EncodingCheck> {
  const next = seededRandom(13);
  let bitPackingOk = true;
  let widths = 0;
  for (const bitWidth of [0, 1, 3, 7, 8, 13, 17, 31, 32]) {
    for (const n of [0, 1, 1023, 1024, 1025]) {
      const values = new Uint32Array(n);
      const mask = bitWidth === 32 ? 0xffffffff : (1 << bitWidth) - 1;
      for (let i = 0; i < n; i++) values[i] = (next() * 0x100000000) & mask;
      const packed = encodeBitPacked(values, bitWidth);
      if (packed.length !== bitPackedByteLength(n, bitWidth)) bitPackingOk = false;
      if (!sameArray(decodeBitPacked(packed, n, bitWidth), values)) bitPackingOk = false;
    }
    widths++;
  }

  const codes = new Uint32Array(5000);
  for (let i = 0; i < codes.length; i++) codes[i] = [7, 70000, 3, 0xffffffff][Math.floor(next() * 4)]!;
  const dict = buildDictionary32(codes);
  let dictionaryOk = dict.dictionary.length === 4 && sameArray(applyDictionary32(dict.dictionary, dict.indices, new Uint32Array(codes.length)), codes);
  const words = ['alpha', 'beta', '', 'γάμμα', 'alpha'];
  const text = new TextEncoder().encode(words.join(''));
  const offsets = new Int32Array(words.length + 1);
  for (let i = 0; i < words.length; i++) offsets[i + 1] = offsets[i]! + new TextEncoder().encode(words[i]!).length;
  const bdict = buildDictionaryBinary(text, offsets, 0, words.length);
  const back = applyDictionaryBinary(bdict.offsets, bdict.bytes, bdict.indices);
  dictionaryOk = dictionaryOk && bdict.offsets.length - 1 === 4 && sameArray(back.bytes, text) && sameArray(back.offsets, offsets);

  const ints = new Int32Array(4096);
  for (let i = 0; i < ints.length; i++) ints[i] = 1000 + Math.floor(next() * 500) * (i % 64 === 0 ? 1 : 0) + (i >> 9);
  const floats = new Float32Array(4096);
  let walk = 0;
  for (let i = 0; i < floats.length; i++) floats[i] = walk += next() - 0.5;
  const arrayCodecs: Record<string, boolean> = {};
  const cases: [string, Int32Array | Float32Array][] = [
    ['plain', ints],
    ['bitpacked', ints],
    ['rle', ints],
    ['dictionary', ints],
    ['bss', floats],
    ['zstd', floats],
    ['bss-zstd', floats],
  ];
  await initZstd();
  for (const [encoding, values] of cases) {
    const data = vectorFromTypedArray(values).data;
    const encoded = encodeArray(data, { encoding: encoding as never });
    const decoded = decodeArray(encoded, data.type);
    arrayCodecs[encoding] = encoded.encoding.kind === encoding && sameArray(decoded.values as unknown as ArrayLike<number>, values);
  }
  const raw = new Uint8Array(100_000);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) % 251;
  const zstdOk = sameArray(zstdDecompress(zstdCompress(raw, 5), raw.length), raw);
  return { bitPackingWidths: widths, bitPackingOk, dictionaryOk, arrayCodecs, zstdOk };
}

/** Runs every check; never throws for a failed comparison (the results say so). */
export async function runChecks(): Promise<PageResults> {
  const hnsw = checkHnsw();
  const lance = await checkLance();
  const encoding = await checkEncoding();
  return { hnsw, lance, encoding };
}
