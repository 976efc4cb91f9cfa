// What one fuzz case does with its mutated input, per target kind. Each runner reads everything the
// input offers (all columns of a file, every live row of every version of a dataset, a loaded index
// searched), so damage anywhere is reached. A runner either returns (the damaged input still read)
// or throws; the worker classifies what it threw.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { filesUnder } from './corpus.mjs';
import { below, loadVego } from './lib.mjs';
import { mutateBytes } from './mutate.mjs';

let V = null;

/** Loads @vego (built) and zstd once per worker. */
export async function initTargets() {
  V = loadVego();
  await V.initZstd();
}

const cache = new Map();
function readCached(path) {
  let b = cache.get(path);
  if (b === undefined) {
    b = new Uint8Array(readFileSync(path));
    cache.set(path, b);
  }
  return b;
}

function readWholeFile(bytes) {
  const reader = V.LanceFileReader.openSync(new V.MemorySource(bytes));
  const batch = reader.readSync();
  // Touch the first and last value of every column: getters must not fail on what the reader accepted.
  for (let c = 0; c < batch.numCols; c++) {
    const col = batch.columnAt(c);
    if (col.length > 0) {
      col.get(0);
      col.get(col.length - 1);
    }
  }
  return `${batch.numRows} rows`;
}

function readDataset(dir) {
  const ds = V.Dataset.openSync(dir);
  try {
    let rows = 0;
    for (const info of ds.versions()) {
      const at = V.Dataset.openSync(dir, { version: info.version });
      try {
        for (const batch of at.scanSync({ batchSize: 64 })) rows += batch.numRows;
        const n = at.countRows();
        if (n > 0) at.takeSync([0, n - 1]);
      } finally {
        at.closeSync();
      }
    }
    return `${rows} rows over ${ds.versions().length} versions`;
  } finally {
    ds.closeSync();
  }
}

/** Paths a hostile manifest may name: outside the folder, absolute, NUL and backslash tricks, missing. */
const HOSTILE_PATHS = ['../../outside.lance', '../outside.lance', '/etc/hostname', 'a\u0000b.lance', '..\\..\\outside.lance', 'missing.lance', ''];
const HOSTILE_COUNTS = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 - 1];

/**
 * A structure-aware mutation of a manifest: decode it, change one claim (row counts, deleted-row
 * counts, file sizes, column indices, format versions, paths, ids), encode it again. Byte mutations
 * rarely keep protobuf valid enough to reach these claims.
 */
function mutateManifest(bytes, r, record) {
  const m = V.decodeManifest(bytes);
  const frag = m.fragments.length > 0 ? m.fragments[below(r, m.fragments.length)] : null;
  const file = frag !== null && frag.files.length > 0 ? frag.files[below(r, frag.files.length)] : null;
  const choice = below(r, 9);
  // Huge claims unless --no-manifest-claims: before @vego/io checked claims against the data files
  // (issue 12 item 2), they killed the worker.
  const counts = record.manifestClaims === true ? HOSTILE_COUNTS : [0, 1, 2, 1000];
  const count = counts[below(r, counts.length)];
  if (frag === null || choice === 0) {
    m.nextRowId = count;
    record.ops.push(`manifest nextRowId=${count}`);
  } else if (choice === 1) {
    frag.physicalRows = r() < 0.5 ? count : frag.physicalRows + (r() < 0.5 ? 1 : -1);
    record.ops.push(`manifest fragment ${frag.id} physicalRows=${frag.physicalRows}`);
  } else if (choice === 2 && frag.deletionFile !== undefined) {
    frag.deletionFile.numDeletedRows = count;
    record.ops.push(`manifest fragment ${frag.id} numDeletedRows=${count}`);
  } else if (choice === 3 && file !== null) {
    file.fileSizeBytes = r() < 0.5 ? count : file.fileSizeBytes + 1;
    record.ops.push(`manifest ${file.path} fileSizeBytes=${file.fileSizeBytes}`);
  } else if (choice === 4 && file !== null && file.columnIndices.length > 0) {
    const k = below(r, file.columnIndices.length);
    file.columnIndices[k] = [-1, 99, 2 ** 31 - 1][below(r, 3)];
    record.ops.push(`manifest ${file.path} columnIndices[${k}]=${file.columnIndices[k]}`);
  } else if (choice === 5 && file !== null) {
    file.fileMinorVersion = [0, 1, 2, 3, 99][below(r, 5)];
    file.fileMajorVersion = [0, 2, 3][below(r, 3)];
    record.ops.push(`manifest ${file.path} version ${file.fileMajorVersion}.${file.fileMinorVersion}`);
  } else if (choice === 6 && file !== null) {
    const p = HOSTILE_PATHS[below(r, HOSTILE_PATHS.length)];
    record.ops.push(`manifest path ${JSON.stringify(file.path)}→${JSON.stringify(p)}`);
    file.path = p;
  } else if (choice === 7 && m.fragments.length > 1) {
    frag.id = m.fragments[0].id;
    record.ops.push(`manifest duplicate fragment id ${frag.id}`);
  } else {
    frag.files = [];
    record.ops.push(`manifest fragment ${frag.id} without files`);
  }
  return V.encodeManifest(m);
}

const undamagedSnapshots = new Map();

/**
 * Loads and searches a (damaged) saved index. A load that succeeds is compared with the undamaged
 * index: node rows carry checksums, so a damaged index that loads must be the same index; when it is
 * not, `record.differs` names the snapshot fields that changed (reported as silent damage).
 */
function loadIndex(dir, dimension, undamagedDir, record) {
  const index = V.HNSW.loadFromLanceSync(dir);
  const q = new Float32Array(dimension).fill(0.25);
  const hits = index.search(q, 5);
  const good = undamagedSnapshots.get(undamagedDir);
  const snapshot = index.toSnapshot();
  const differs = Object.keys(good).filter((k) => !isDeepStrictEqual(good[k], snapshot[k]));
  if (differs.length > 0) record.differs = differs;
  return `${hits.length} hits`;
}

const TYPES = () => ({
  Bool: new V.Bool(), Int8: new V.Int8(), Int16: new V.Int16(), Int32: new V.Int32(), Int64: new V.Int64(),
  Uint32: new V.Uint32(), Float32: new V.Float32(), Float64: new V.Float64(), Utf8: new V.Utf8(), Binary: new V.Binary(),
});

function decodeCodec(json, r, ops) {
  const { typeName, encoded } = json;
  const buffers = encoded.buffers.map((b) => new Uint8Array(Buffer.from(b, 'base64')));
  const desc = { ...encoded.encoding };
  let length = encoded.length;
  let nullCount = encoded.nullCount;
  // Some cases damage the description (its length fields), the others a buffer.
  if (r !== null && r() < 0.4) {
    const field = ['length', 'nullCount', 'bitWidth', 'dictionaryLength', 'indexBitWidth', 'level', 'reference'][below(r, 7)];
    const v = [0, 1, -1, 2 ** 31, 2 ** 32, 2 ** 31 - 1, 1e9, 0.5, 65, length + 1, length * 1000][below(r, 11)];
    if (field === 'length') length = v;
    else if (field === 'nullCount') nullCount = v;
    else desc[field] = field === 'reference' ? String(v) : v;
    ops.push(`${field}=${v}`);
  }
  if (r !== null && buffers.length > 0 && (ops.length === 0 || r() < 0.5)) {
    const i = below(r, buffers.length);
    const m = mutateBytes(buffers[i], r);
    buffers[i] = m.bytes;
    ops.push(`buffer ${i}: ${m.ops.join(', ')}`);
  }
  const data = V.decodeArray({ encoding: desc, buffers, length, nullCount }, TYPES()[typeName]);
  if (data.length !== length) throw new Error(`decodeArray returned ${data.length} values for a description of ${length}`);
  return `${data.length} values`;
}

/**
 * Runs one case.
 * @param {object} target - a corpus.json entry
 * @param {string} corpusDir
 * @param {string} scratch - a directory this worker owns
 * @param {() => number} r - the case's generator
 * @returns {{ ops: string[], file?: string, detail: string }} what was mutated and what was read
 * @throws whatever the reader throws
 */
export function runCase(target, corpusDir, scratch, r, record) {
  const src = join(corpusDir, target.path);
  // The baseline (undamaged) run of a target: no mutation, the generator is not drawn from.
  const mutate = record.baseline === true ? (bytes) => ({ bytes: bytes.slice(), ops: [] }) : mutateBytes;
  switch (target.kind) {
    case 'file': {
      const m = mutate(readCached(src), r);
      record.ops = m.ops;
      record.prepared?.();
      return readWholeFile(m.bytes);
    }
    case 'zstd': {
      const m = mutate(readCached(src), r);
      record.ops = m.ops;
      const out = V.zstdDecompress(m.bytes, target.byteLength);
      // Every frame we write carries a checksum: damaged frames that still decode must give the same bytes.
      const expected = V.zstdDecompress(readCached(src), target.byteLength);
      if (Buffer.compare(Buffer.from(out.buffer, out.byteOffset, out.length), Buffer.from(expected.buffer, expected.byteOffset, expected.length)) !== 0) {
        throw new Error('damaged checksummed ZSTD frames decoded to different bytes (a silent wrong value)');
      }
      return `${out.length} bytes`;
    }
    case 'codec': {
      const ops = [];
      record.ops = ops;
      return decodeCodec(JSON.parse(new TextDecoder().decode(readCached(src))), record.baseline === true ? null : r, ops);
    }
    case 'dataset':
    case 'index': {
      // A fresh copy per case: a reader must never need (or make) changes to the folder.
      const dir = join(scratch, 'case');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      cpSync(src, dir, { recursive: true });
      const files = filesUnder(dir);
      const preferred = files.filter((f) => f.endsWith('.manifest') || f.endsWith('.lance') || f.endsWith('.arrow') || f.endsWith('.bin'));
      const pool = preferred.length > 0 && r() < 0.9 ? preferred : files;
      if (record.baseline !== true) {
        const manifests = files.filter((f) => f.endsWith('.manifest'));
        if (manifests.length > 0 && r() < 0.25) {
          // Any version of any table: a dataset read goes through every version, an index load through
          // the versions its metadata names (v2 names sort newest first).
          const file = manifests[below(r, manifests.length)];
          record.file = file;
          record.ops = [];
          writeFileSync(join(dir, file), mutateManifest(new Uint8Array(readFileSync(join(dir, file))), r, record));
          // Valid Lance files outside the data folders, for paths that escape them to find.
          cpSync(join(corpusDir, 'files', 'ours-2.0-default.lance'), join(scratch, 'outside.lance'));
          cpSync(join(corpusDir, 'files', 'ours-2.0-default.lance'), join(dir, 'outside.lance'));
        } else {
          const file = pool[below(r, pool.length)];
          const m = mutateBytes(new Uint8Array(readFileSync(join(dir, file))), r);
          writeFileSync(join(dir, file), m.bytes);
          record.file = file;
          record.ops = m.ops;
        }
      }
      // The undamaged index, loaded once per worker before the case is watched (it lives in the corpus).
      if (target.kind === 'index' && !undamagedSnapshots.has(src)) undamagedSnapshots.set(src, V.HNSW.loadFromLanceSync(src).toSnapshot());
      record.prepared?.();
      return target.kind === 'dataset' ? readDataset(dir) : loadIndex(dir, target.dimension, src, record);
    }
    default:
      throw new Error(`unknown target kind ${target.kind}`);
  }
}

/** True for a VegoError (checked across copies of the library, by its marker). */
export function isVegoError(e) {
  return V.isVegoError(e);
}
