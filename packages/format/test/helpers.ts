import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as F from '@vego/format';
import { float16ToNumber } from '@vego/arrow';

export { seededRandom as rng } from '../../../test-support/random';

/** Plain JSON-able form of any value coming from @vego/arrow or apache-arrow, for comparisons. */
export function norm(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, norm);
  if (Array.isArray(v)) return v.map(norm);
  const o = v as Record<string | symbol, unknown>;
  if (typeof o.toJSON === 'function' && !(Symbol.iterator in o)) return norm((o.toJSON as () => unknown).call(o));
  if (Symbol.iterator in o && typeof o.get === 'function') return Array.from(o as unknown as Iterable<unknown>, norm);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = norm(o[k]);
  return out;
}

/**
 * Opens `bytes` and reads every column; returns the VegoError that stopped it, or null. Anything else
 * (a crash of the reader) is rethrown, wrapped to say so.
 */
export function readAllError(bytes: Uint8Array): F.VegoError | null {
  try {
    F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
    return null;
  } catch (e) {
    if (!F.isVegoError(e)) throw new Error(`untyped error: ${String((e as Error).stack ?? e)}`);
    return e;
  }
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes batches with our writer; returns the file bytes and summary. */
export function writeFile(schema: F.Schema, batches: F.RecordBatch[], options: F.LanceFileWriterOptions = {}): { bytes: Uint8Array; summary: F.FileSummary } {
  const sink = new F.MemorySink();
  const w = new F.LanceFileWriter(sink, schema, options);
  for (const b of batches) w.write(b);
  const summary = w.finish();
  return { bytes: sink.toBytes().slice(), summary };
}

/** Lays out `<root>/<name>.lance/data/<file>` and `_versions/1.manifest` for our file. */
export function writeTable(root: string, name: string, schema: F.Schema, bytes: Uint8Array, numRows: number, fileVersion: F.LanceFileVersion = '2.0'): void {
  const table = path.join(root, `${name}.lance`);
  fs.mkdirSync(path.join(table, 'data'), { recursive: true });
  fs.mkdirSync(path.join(table, '_versions'), { recursive: true });
  fs.writeFileSync(path.join(table, 'data', 'part-0.lance'), bytes);
  const manifest = F.manifestForFiles(schema, [{ path: 'part-0.lance', numRows, byteLength: bytes.length }], 1, Date.now(), fileVersion);
  fs.writeFileSync(path.join(table, '_versions', '1.manifest'), F.encodeManifest(manifest));
}

/** Column `name` of a batch as plain values. */
export function columnValues(batch: F.RecordBatch, name: string): unknown[] {
  const i = batch.schema.fieldIndex(name);
  return Array.from(batch.columns[i]! as unknown as Iterable<unknown>, norm);
}

/** A source that records every range read. */
export class CountingSource implements F.SyncByteSource, F.AsyncByteSource {
  readonly reads: Array<[number, number]> = [];
  private readonly inner: F.MemorySource;
  constructor(bytes: Uint8Array) {
    this.inner = new F.MemorySource(bytes);
  }
  get byteLength(): number {
    return this.inner.byteLength;
  }
  readSync(o: number, l: number): Uint8Array {
    this.reads.push([o, l]);
    return this.inner.readSync(o, l);
  }
  read(o: number, l: number): Promise<Uint8Array> {
    this.reads.push([o, l]);
    return this.inner.read(o, l);
  }
  bytesRead(): number {
    return this.reads.reduce((s, r) => s + r[1], 0);
  }
}

/**
 * An async source that counts I/O rounds: reads issued together (in the same synchronous burst, as the
 * reader issues one step's ranges) share a round; a read issued after that burst starts a new one.
 * Reads resolve on a later macrotask, like a file or network read.
 */
export class RoundCountingSource implements F.AsyncByteSource {
  rounds = 0;
  /** Per round, the ranges read. */
  readonly reads: Array<Array<[number, number]>> = [];
  private open = false;
  private readonly inner: F.MemorySource;
  constructor(bytes: Uint8Array) {
    this.inner = new F.MemorySource(bytes);
  }
  get byteLength(): number {
    return this.inner.byteLength;
  }
  read(o: number, l: number): Promise<Uint8Array> {
    if (!this.open) {
      this.open = true;
      this.rounds++;
      this.reads.push([]);
      queueMicrotask(() => {
        this.open = false;
      });
    }
    this.reads[this.reads.length - 1]!.push([o, l]);
    return new Promise((resolve, reject) => setImmediate(() => this.inner.read(o, l).then(resolve, reject)));
  }
  reset(): void {
    this.rounds = 0;
    this.reads.length = 0;
  }
  bytesRead(): number {
    let s = 0;
    for (const r of this.reads) for (const [, l] of r) s += l;
    return s;
  }
}

/** Plain values of an ArrayData honouring nulls at every level (what LanceDB/apache-arrow rows show). */
export function plain(d: F.ArrayData): unknown[] {
  const out: unknown[] = [];
  const t = d.type;
  for (let i = 0; i < d.length; i++) {
    if (!d.isValid(i)) {
      out.push(null);
      continue;
    }
    const j = d.offset + i;
    switch (t.typeId) {
      case F.TypeId.Bool:
        out.push((((d.values as Uint8Array)[j >> 3]! >> (j & 7)) & 1) === 1);
        break;
      case F.TypeId.Utf8:
      case F.TypeId.LargeUtf8:
        out.push(new TextDecoder().decode((d.values as Uint8Array).subarray(d.valueOffsets![j]!, d.valueOffsets![j + 1]!)));
        break;
      case F.TypeId.Binary:
      case F.TypeId.LargeBinary:
        out.push(Array.from((d.values as Uint8Array).subarray(d.valueOffsets![j]!, d.valueOffsets![j + 1]!)));
        break;
      case F.TypeId.FixedSizeList:
        out.push(plain(d.children[0]!.slice(j * t.listSize, (j + 1) * t.listSize)));
        break;
      case F.TypeId.List:
        out.push(plain(d.children[0]!.slice(d.valueOffsets![j]!, d.valueOffsets![j + 1]!)));
        break;
      case F.TypeId.Struct: {
        const o: Record<string, unknown> = {};
        t.children.forEach((f, k) => {
          o[f.name] = plain(d.children[k]!.slice(j, j + 1))[0];
        });
        out.push(o);
        break;
      }
      case F.TypeId.Float16:
        out.push(float16ToNumber((d.values as Uint16Array)[j]!));
        break;
      case F.TypeId.Dictionary: {
        // The row's value, not its index (two writers may number the same values differently).
        const k = Number((d.values as unknown as ArrayLike<number | bigint>)[j]!);
        out.push(plain(d.children[0]!.slice(k, k + 1))[0]);
        break;
      }
      default:
        out.push((d.values as unknown as ArrayLike<unknown>)[j]);
    }
  }
  return out.map(norm);
}

/** Plain values of column `name` of a batch. */
export function plainColumn(batch: F.RecordBatch, name: string): unknown[] {
  return plain(batch.columns[batch.schema.fieldIndex(name)]!.data as F.ArrayData);
}
