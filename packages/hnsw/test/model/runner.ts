/**
 * Runs operation sequences on an index and on the reference model side by side, and checks after
 * every step that the index holds and answers what the model says (see `checkIndex`). A sequence
 * is drawn from a seed as it runs (each draw sees the model's state), and recorded as plain data,
 * so a failing one can be replayed exactly and cut down (`replay`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConflictError, HNSW, InvalidArgumentError, LengthMismatchError, NotFoundError, NotSupportedError, TypeMismatchError } from '@vego/hnsw';
import { seededRandom } from '@vego/test-support';
import { type Hit, ReferenceModel, type Stored, distance, isBinary, prepared, tolerance } from './reference';
import { DataSource, type ModelConfig, type Op, nextOp, toVector } from './operations';

/** A difference between the index and the model, with the operations that led to it. */
export class ModelViolation extends Error {
  constructor(
    message: string,
    readonly ops: Op[],
  ) {
    super(`${message}\nafter ${ops.length} operations; last: ${ops.slice(-3).map(describeOp).join(' | ')}`);
  }
}

export function describeOp(op: Op): string {
  return JSON.stringify(op, (_, v: unknown) => (Array.isArray(v) && typeof v[0] === 'number' && v.length > 4 ? `[${v.length}]` : v));
}

class Mismatch extends Error {}

function fail(message: string): never {
  throw new Mismatch(message);
}

function expectThrows(what: string, fn: () => unknown, type: new (...args: never[]) => Error): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof type) return;
    fail(`${what}: expected ${type.name}, got ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
  fail(`${what}: expected ${type.name}, nothing thrown`);
}

async function expectRejects(what: string, promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof type) return;
    fail(`${what}: expected ${type.name}, got ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
  fail(`${what}: expected ${type.name}, nothing thrown`);
}

const show = (hits: readonly Hit[]): string => hits.map((h) => `${h.id}@${h.distance}`).join(' ');

/** Two answers that must be identical: same ids, same distances, same order. */
function sameHits(what: string, got: readonly Hit[], want: readonly Hit[]): void {
  if (got.length !== want.length || got.some((h, i) => h.id !== want[i]!.id || h.distance !== want[i]!.distance)) {
    fail(`${what}:\n  got  ${show(got)}\n  want ${show(want)}`);
  }
}

/** Structural promises of any answer: accepted live ids, distinct, ascending by distance then id, true distances. */
function validHits(what: string, got: readonly Hit[], model: ReferenceModel, query: Stored, accept: (id: number) => boolean, k: number): void {
  const tol = tolerance(model.metric, model.dimension);
  const q = prepared(model.metric, query);
  let accepted = 0;
  for (let id = 0; id < model.numIds; id++) if (model.has(id) && accept(id)) accepted++;
  if (got.length !== Math.min(k, accepted)) fail(`${what}: ${got.length} hits, want min(k = ${k}, ${accepted} accepted live ids): ${show(got)}`);
  const seen = new Set<number>();
  for (let i = 0; i < got.length; i++) {
    const { id, distance: d } = got[i]!;
    if (!model.has(id)) fail(`${what}: id ${id} is not live (numIds ${model.numIds}): ${show(got)}`);
    if (!accept(id)) fail(`${what}: id ${id} is not accepted by the filter`);
    if (seen.has(id)) fail(`${what}: id ${id} twice: ${show(got)}`);
    seen.add(id);
    const true_ = distance(model.metric, model.vectors[id]!, q);
    if (Math.abs(true_ - d) > tol) fail(`${what}: id ${id} at ${d}, the model says ${true_}`);
    if (i > 0) {
      const p = got[i - 1]!;
      if (p.distance > d || (p.distance === d && p.id > id)) fail(`${what}: not ascending by distance, then id: ${show(got)}`);
    }
  }
}

/** `searchExact`'s promise against the model: the first k of all accepted live ids by distance, then id. */
function exactAgainstModel(what: string, got: readonly Hit[], model: ReferenceModel, query: Stored, accept: (id: number) => boolean, k: number): void {
  validHits(what, got, model, query, accept, k);
  const want = model.ranked(query, accept).slice(0, k);
  const tol = tolerance(model.metric, model.dimension);
  if (tol === 0) {
    sameHits(what, got, want);
    return;
  }
  // Cosine: the model's double sums may order near-ties differently; every id clearly nearer than
  // the k-th hit must be there.
  const kth = got.length === 0 ? Infinity : got[got.length - 1]!.distance;
  const ids = new Set(got.map((h) => h.id));
  for (const h of model.ranked(query, accept)) {
    if (h.distance >= kth - 2 * tol) break;
    if (!ids.has(h.id)) fail(`${what}: missing id ${h.id} at ${h.distance} (k-th ${kth}):\n  got  ${show(got)}\n  want ${show(want)}`);
  }
}

/**
 * Live ids that a search for `query` cannot reach: not on layer 0 from the node where the greedy
 * descent through the upper layers ends (replayed here with the model's distances, moving only to
 * a strictly closer neighbour, as `Graph#greedyDescent` does). HNSW promises no connectivity: with
 * small M and exact duplicates, back-links fill the duplicates' lists with each other, and a
 * cluster of them can become a trap with no way out on layer 0. The index promises only that a
 * walk that comes back short is filled by an exact scan, so a search with ef ≥ every id, which
 * visits everything reachable from its start, may miss exactly these ids.
 */
export function unreachable(index: HNSW, model: ReferenceModel, query: Stored): Set<number> {
  const s = index.toSnapshot();
  const out = new Set<number>();
  if (s.entryPoint < 0) return out;
  const q = prepared(model.metric, query);
  const dist = (id: number): number => distance(model.metric, model.vectors[id]!, q);
  const strideUp = 1 + s.config.M;
  let cur = s.entryPoint;
  let curDist = dist(cur);
  for (let level = s.maxLevel; level > 0; level--) {
    for (let changed = true; changed; ) {
      changed = false;
      const base = s.upperOffsets[cur]! + (level - 1) * strideUp;
      const n = s.upperLinks[base]!;
      for (let j = 1; j <= n; j++) {
        const nb = s.upperLinks[base + j]!;
        const d = dist(nb);
        if (d < curDist) {
          curDist = d;
          cur = nb;
          changed = true;
        }
      }
    }
  }
  const stride = 1 + 2 * s.config.M;
  const cutFrom = (start: number): void => {
    const seen = new Uint8Array(s.numIds);
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const node = stack.pop()!;
      const base = node * stride;
      for (let j = 1; j <= s.links0[base]!; j++) {
        const nb = s.links0[base + j]!;
        if (seen[nb] === 0) {
          seen[nb] = 1;
          stack.push(nb);
        }
      }
    }
    for (let id = 0; id < s.numIds; id++) if (seen[id] === 0 && s.deleted[id] === 0) out.add(id);
  };
  cutFrom(cur);
  // SQ8 descends by code distances, which the model does not replay: any upper-layer node may be
  // where it ends.
  if (s.config.quantization === 'sq8') for (let id = 0; id < s.numIds; id++) if (s.levels[id]! > 0 && s.deleted[id] === 0) cutFrom(id);
  return out;
}

export interface RunOptions {
  /** Draw `count` operations from `seed`, or replay `ops`. */
  seed?: number;
  count?: number;
  ops?: readonly Op[];
  /** A folder the run may write its saved indexes in (emptied first). */
  workDir: string;
  /** Queries per check. */
  queries?: number;
}

export interface RunStats {
  ops: number;
  /** Wide searches that missed only ids their walk cannot reach (see `unreachable`). */
  disconnected: number;
  checks: number;
  saves: number;
  loads: number;
}

interface SavedDir {
  dir: string;
  model: ReferenceModel;
  sq8: boolean;
}

export class ModelRun {
  private index: HNSW;
  private model: ReferenceModel;
  private readonly dirs: SavedDir[] = [];
  /** The folder `save { dir: 'same' }` writes to: the one last saved to or loaded from. */
  private current = -1;
  /** Set by a save, cleared by any change: the folder holds exactly this index. */
  private unchangedSince = -1;
  readonly stats: RunStats = { ops: 0, disconnected: 0, checks: 0, saves: 0, loads: 0 };

  constructor(
    readonly config: ModelConfig,
    private readonly workDir: string,
    private readonly queriesPerCheck = 3,
  ) {
    this.index = this.fresh();
    this.model = new ReferenceModel(config.metric, config.dimension);
  }

  private fresh(): HNSW {
    const c = this.config;
    return new HNSW({
      dimension: c.dimension,
      distance: c.metric,
      M: c.M,
      efConstruction: c.efConstruction,
      quantization: c.quantization,
      repair: c.repair,
      repairThreshold: c.repairThreshold,
    });
  }

  /** Small-ef answers of two indexes (or two calls) are comparable only while no deferred repair can run between them. */
  private get repairStill(): boolean {
    return this.config.repairThreshold >= 1 || this.config.repair === 'eager';
  }

  private vec(v: readonly number[]): Stored {
    return toVector(this.config, v);
  }

  async apply(op: Op): Promise<void> {
    const { index, model } = this;
    const changes = op.t !== 'check' && op.t !== 'save' && op.t !== 'cleanup' && op.t !== 'load' && op.t !== 'snapshot';
    switch (op.t) {
      case 'add': {
        const id = index.add(this.vec(op.v));
        const want = model.add(this.vec(op.v));
        if (id !== want) fail(`add returned id ${id}, want ${want}`);
        break;
      }
      case 'addBatch': {
        const vs = op.vs.map((v) => this.vec(v));
        const codesOnly = this.isCodesOnly();
        if (op.threads > 1 && codesOnly) {
          if (op.async) await expectRejects('addBatchAsync threads 2 on a codes-only index', index.addBatchAsync(vs as Float32Array[], { threads: op.threads }), NotSupportedError);
          else expectThrows('addBatch threads 2 on a codes-only index', () => index.addBatch(vs as Float32Array[], { threads: op.threads }), NotSupportedError);
          break;
        }
        const ids = op.async ? await index.addBatchAsync(vs as Float32Array[], { threads: op.threads }) : index.addBatch(vs as Float32Array[], { threads: op.threads });
        const want = vs.map((v) => model.add(v));
        if (ids.join() !== want.join()) fail(`addBatch returned ids ${ids.join()}, want ${want.join()}`);
        break;
      }
      case 'badAdd':
        this.badAdd(op.kind);
        break;
      case 'delete':
        if (model.has(op.id)) {
          index.delete(op.id);
          model.delete(op.id);
        } else {
          expectThrows(`delete(${op.id}) of an id not live`, () => index.delete(op.id), NotFoundError);
        }
        break;
      case 'update':
        if (model.has(op.id)) {
          index.update(op.id, this.vec(op.v));
          model.update(op.id, this.vec(op.v));
        } else {
          expectThrows(`update(${op.id}) of an id not live`, () => index.update(op.id, this.vec(op.v)), NotFoundError);
        }
        break;
      case 'compact':
        index.compact();
        break;
      case 'conflict':
        await this.conflict(op);
        break;
      case 'save':
        await this.save(op);
        break;
      case 'load':
        await this.load(op);
        break;
      case 'snapshot':
        this.snapshot();
        break;
      case 'cleanup':
        await this.cleanup(op.dir);
        break;
      case 'check':
        await this.check(op.seed);
        break;
    }
    if (changes) this.unchangedSince = -1;
    this.stats.ops++;
    this.cheapCheck();
  }

  private isCodesOnly(): boolean {
    return (this.index as unknown as { disk: unknown }).disk !== null;
  }

  private badAdd(kind: 'length' | 'nan' | 'zero' | 'batchRow'): void {
    const { index, model, config } = this;
    const binary = isBinary(config.metric);
    const width = binary ? config.dimension / 8 : config.dimension;
    const good = (): Stored => (binary ? new Uint8Array(width).fill(3) : new Float32Array(width).fill(0.5));
    const before = index.numIds;
    switch (kind) {
      case 'length':
        expectThrows('add of a wrong length', () => index.add(binary ? new Uint8Array(width + 1) : new Float32Array(width - 1).fill(1)), LengthMismatchError);
        break;
      case 'nan':
        if (binary) expectThrows('add of floats to a binary index', () => index.add(new Float32Array(width)), TypeMismatchError);
        else expectThrows('add of NaN', () => index.add(Float32Array.from({ length: width }, (_, i) => (i === width >> 1 ? NaN : 1))), InvalidArgumentError);
        break;
      case 'zero':
        if (config.metric === 'cosine') {
          expectThrows('add of the zero vector under cosine', () => index.add(new Float32Array(width)), InvalidArgumentError);
        } else {
          // Valid everywhere else (Jaccard: 0 against another all-zero vector).
          const v = binary ? new Uint8Array(width) : new Float32Array(width);
          const id = index.add(v);
          if (id !== model.add(v)) fail(`add of a zero vector returned ${id}`);
          this.unchangedSince = -1;
          return;
        }
        break;
      case 'batchRow': {
        const bad = binary ? new Uint8Array(width - 1) : new Float32Array(width).fill(Infinity);
        expectThrows('addBatch with a bad row', () => index.addBatch([good(), good(), bad] as Float32Array[]), binary ? LengthMismatchError : InvalidArgumentError);
        break;
      }
    }
    if (index.numIds !== before) fail(`a refused add changed numIds from ${before} to ${index.numIds}`);
  }

  private async conflict(op: Extract<Op, { t: 'conflict' }>): Promise<void> {
    const { index, model } = this;
    const vs = op.vs.map((v) => this.vec(v)) as Float32Array[];
    const changes: [string, () => unknown][] = [
      ['add', () => index.add(vs[0]!)],
      ['addBatch', () => index.addBatch(vs)],
      ['update', () => index.update(op.id, vs[0]!)],
      ['delete', () => index.delete(op.id)],
      ['compact', () => index.compact()],
    ];
    if (op.during === 'searchManyAsync') {
      if (model.live === 0) return;
      const k = 3;
      const ef = model.numIds + 8;
      const want = vs.map((q) => index.search(q, k, { ef }));
      const searching = index.searchManyAsync(vs, k, { ef, threads: 2 });
      // On the calling thread (SQ8) two queries are answered before the call returns: nothing is then in flight.
      const inFlight = (index as unknown as { readers: number }).readers > 0;
      try {
        if (inFlight) for (const [name, call] of changes) expectThrows(`${name} while searchManyAsync is in flight`, call, ConflictError);
        // Reads still work meanwhile.
        sameHits('search while searchManyAsync is in flight', index.search(vs[0]!, k, { ef }), want[0]!);
      } finally {
        const got = await searching;
        got.forEach((hits, i) => sameHits(`searchManyAsync query ${i}`, hits, want[i]!));
      }
      return;
    }
    if (this.isCodesOnly()) return;
    const size = index.size;
    const numIds = index.numIds;
    const building = index.addBatchAsync(vs, { threads: 2 });
    try {
      for (const [name, call] of [...changes, ['search', () => index.search(vs[0]!, 1)] as [string, () => unknown]]) {
        expectThrows(`${name} while addBatchAsync links a batch`, call, ConflictError);
      }
      if (index.size !== size || index.numIds !== numIds) fail(`size / numIds changed before addBatchAsync settled: ${index.size} / ${index.numIds}, were ${size} / ${numIds}`);
      if (index.has(numIds)) fail(`has(${numIds}) is true before addBatchAsync settled`);
      expectThrows(`get(${numIds}) before addBatchAsync settled`, () => (isBinary(this.config.metric) ? index.getBinary(numIds) : index.get(numIds)), NotFoundError);
    } finally {
      const ids = await building;
      const want = vs.map((v) => model.add(v));
      if (ids.join() !== want.join()) fail(`addBatchAsync returned ids ${ids.join()}, want ${want.join()}`);
    }
  }

  private newDir(): number {
    const dir = path.join(this.workDir, `d${this.dirs.length}`);
    this.dirs.push({ dir, model: this.model.clone(), sq8: this.config.quantization === 'sq8' });
    return this.dirs.length - 1;
  }

  private async save(op: Extract<Op, { t: 'save' }>): Promise<void> {
    const target = op.dir === 'new' || this.current < 0 ? this.newDir() : this.current;
    const saved = this.dirs[target]!;
    const options = { durable: op.durable, full: op.full, ...(op.compactionThreshold === undefined ? {} : { compactionThreshold: op.compactionThreshold }) };
    const before = this.model.clone();
    if (op.sync) {
      this.index.saveToLanceSync(saved.dir, options);
    } else {
      const saving = this.index.saveToLance(saved.dir, options);
      try {
        for (const change of op.during ?? []) await this.apply(change);
      } finally {
        await saving;
      }
    }
    // The save wrote the state it started from; changes made meanwhile are for the next one.
    saved.model = before;
    this.current = target;
    const changed = (op.during ?? []).some((d) => d.t !== 'save');
    this.unchangedSince = changed ? -1 : target;
    this.stats.saves++;
    if (changed) {
      const loaded = HNSW.loadFromLanceSync(saved.dir);
      this.stats.loads++;
      try {
        await this.checkIndex(`load of ${saved.dir} saved while the index changed`, loaded, before, this.stats.ops, false);
      } finally {
        await loaded.close();
      }
      return;
    }
    if (op.crossCheck) {
      // An incremental save must load to what a whole save to a fresh folder loads to.
      const whole = this.newDir();
      this.index.saveToLanceSync(this.dirs[whole]!.dir);
      const a = HNSW.loadFromLanceSync(saved.dir);
      const b = HNSW.loadFromLanceSync(this.dirs[whole]!.dir);
      this.stats.loads += 2;
      try {
        await this.sameIndex(`load of ${saved.dir} (saved into) against a whole save`, a, b, this.model, !this.config.quantization.startsWith('sq') && this.repairStill);
        await this.sameIndex(`load of ${saved.dir} against the index saved`, a, this.index, this.model, false);
      } finally {
        await a.close();
        await b.close();
      }
    }
  }

  private async load(op: Extract<Op, { t: 'load' }>): Promise<void> {
    const saved = this.dirs[op.dir];
    // A replayed, shortened sequence may name a folder it no longer saves.
    if (saved === undefined) return;
    const options = { vectors: op.disk ? ('disk' as const) : ('memory' as const) };
    const loaded = op.sync ? HNSW.loadFromLanceSync(saved.dir, options) : await HNSW.loadFromLance(saved.dir, options);
    this.stats.loads++;
    if (this.unchangedSince === op.dir) {
      // The folder holds exactly the running index: the load must answer as it does.
      await this.sameIndex(`load of ${saved.dir} against the index just saved there`, loaded, this.index, this.model, !saved.sq8 && this.repairStill);
    }
    await this.index.close();
    this.index = loaded;
    this.model = saved.model.clone();
    this.current = op.dir;
    this.unchangedSince = op.dir;
    await this.check(op.dir * 7919 + this.stats.ops);
  }

  private snapshot(): void {
    const copy = HNSW.fromSnapshot(this.index.toSnapshot());
    void this.index.close();
    this.index = copy;
    this.unchangedSince = -1;
  }

  private async cleanup(dirIndex: number): Promise<void> {
    const saved = this.dirs[dirIndex];
    if (saved === undefined) return;
    await HNSW.cleanupOldVersions(saved.dir, { olderThan: 0 });
    const loaded = HNSW.loadFromLanceSync(saved.dir);
    this.stats.loads++;
    try {
      await this.checkIndex(`after cleanupOldVersions, the load of ${saved.dir}`, loaded, saved.model, dirIndex + 1, false);
    } finally {
      await loaded.close();
    }
  }

  /** The cheap part, after every operation: counts and membership. */
  private cheapCheck(): void {
    const { index, model } = this;
    if (index.size !== model.live) fail(`size ${index.size}, model ${model.live}`);
    if (index.numIds !== model.numIds) fail(`numIds ${index.numIds}, model ${model.numIds}`);
    for (const id of [-1, model.numIds, model.numIds - 1, model.numIds >> 1]) {
      if (index.has(id) !== model.has(id)) fail(`has(${id}) ${index.has(id)}, model ${model.has(id)}`);
    }
  }

  async check(seed: number): Promise<void> {
    await this.checkIndex('index', this.index, this.model, seed, true);
  }

  private queries(random: () => number, model: ReferenceModel, n: number): Stored[] {
    const data = new DataSource(this.config, random);
    const out: Stored[] = [];
    for (let i = 0; i < n; i++) {
      // Half the time a stored vector (often deleted or duplicated: ties at distance 0).
      if (model.numIds > 0 && random() < 0.5) {
        const v = model.vectors[Math.floor(random() * model.numIds)]!;
        out.push(isBinary(model.metric) ? Uint8Array.from(v) : Float32Array.from(v));
      } else out.push(this.vec(data.next()));
    }
    return out;
  }

  /** Every promise of the index that the model can state, on `index` against `model`. */
  private async checkIndex(what: string, index: HNSW, model: ReferenceModel, seed: number, heavy: boolean): Promise<void> {
    this.stats.checks++;
    const random = seededRandom(seed);
    const binary = isBinary(model.metric);
    if (index.size !== model.live || index.numIds !== model.numIds) fail(`${what}: size ${index.size} / numIds ${index.numIds}, model ${model.live} / ${model.numIds}`);
    for (let id = -1; id <= model.numIds; id++) {
      if (index.has(id) !== model.has(id)) fail(`${what}: has(${id}) ${index.has(id)}, model ${model.has(id)}`);
    }
    const read = (id: number): Stored => (binary ? index.getBinary(id) : index.get(id));
    const sample = model.numIds <= 48 ? model.numIds : 48;
    for (let s = 0; s < sample; s++) {
      const id = model.numIds <= 48 ? s : Math.floor(random() * model.numIds);
      if (!model.has(id)) {
        expectThrows(`${what}: get(${id}) of a deleted id`, () => read(id), NotFoundError);
        continue;
      }
      const got = read(id);
      const want = model.vectors[id]!;
      const a = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
      const b = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
      if (a.length !== b.length || a.some((x, i) => x !== b[i])) fail(`${what}: get(${id}) = ${Array.from(got).join()}, model ${Array.from(want).join()}`);
    }
    const live = model.live;
    const queries = this.queries(random, model, this.queriesPerCheck);
    const all = (): boolean => true;
    const bigEf = model.numIds + 8;
    for (const q of queries) {
      for (const k of [1, 1 + Math.floor(random() * 8), live + 1]) {
        const exact = index.searchExact(q, k);
        exactAgainstModel(`${what}: searchExact k=${k}`, exact, model, q, all, k);
        const wide = index.search(q, k, { ef: bigEf });
        this.wideAgainstExact(`${what}: search k=${k} ef=${bigEf} (≥ every id) against searchExact`, index, wide, exact, model, q, all, k);
        const ef = 1 + Math.floor(random() * 12);
        const narrow = index.search(q, k, ef);
        validHits(`${what}: search k=${k} ef=${ef}`, narrow, model, q, all, k);
        if (!heavy) continue;
        const ids = new Int32Array(k);
        const distances = new Float64Array(k);
        const n = index.searchInto(q, k, { ids, distances }, { ef: bigEf });
        const into = Array.from({ length: n }, (_, i) => ({ id: ids[i]!, distance: distances[i]! }));
        // A deferred repair slice between the two calls may make a cut-off id reachable.
        if (this.repairStill) sameHits(`${what}: searchInto k=${k} ef=${bigEf}`, into, wide);
        else this.wideAgainstExact(`${what}: searchInto k=${k} ef=${bigEf}`, index, into, exact, model, q, all, k);
        if (this.repairStill) sameHits(`${what}: search k=${k} ef=${ef} twice`, index.search(q, k, ef), narrow);
        // Filters: a function, a bitset (deleted and unassigned bits set too), both.
        const m = 2 + Math.floor(random() * 3);
        const r = Math.floor(random() * m);
        const byFn = (id: number): boolean => id % m === r;
        const bits = new Uint32Array((model.numIds + 31) >>> 5);
        const byBits = (id: number): boolean => (id * 7 + r) % 5 < 3;
        for (let id = 0; id < bits.length * 32; id++) if (byBits(id)) bits[id >>> 5]! |= 1 << (id & 31);
        const both = (id: number): boolean => byFn(id) && byBits(id);
        for (const [name, options, accept] of [
          ['filter', { filter: byFn }, byFn],
          ['filterBits', { filterBits: bits }, byBits],
          ['filter + filterBits', { filter: byFn, filterBits: bits }, both],
        ] as const) {
          const ex = index.searchExact(q, k, options);
          exactAgainstModel(`${what}: searchExact k=${k} ${name}`, ex, model, q, accept, k);
          this.wideAgainstExact(`${what}: search k=${k} ef=${bigEf} ${name}`, index, index.search(q, k, { ...options, ef: bigEf }), ex, model, q, accept, k);
          validHits(`${what}: search k=${k} ef=${ef} ${name}`, index.search(q, k, { ...options, ef }), model, q, accept, k);
        }
      }
    }
    if (!heavy || live === 0) return;
    const k = 1 + Math.floor(random() * 6);
    const want = queries.map((q) => index.search(q, k, { ef: bigEf }));
    for (const threads of [1, 2]) {
      const many = index.searchMany(queries as Float32Array[], k, { ef: bigEf, threads });
      many.forEach((hits, i) => sameHits(`${what}: searchMany threads=${threads} query ${i}`, hits, want[i]!));
    }
    if (random() < 0.3) {
      const many = await index.searchManyAsync(queries as Float32Array[], k, { ef: bigEf, threads: 2 });
      many.forEach((hits, i) => sameHits(`${what}: searchManyAsync query ${i}`, hits, want[i]!));
    }
  }

  /**
   * A search with ef ≥ every id must give the exact answer, except for ids it cannot reach (see
   * {@link unreachable}); those runs are counted, and the answer still checked for what it promises.
   */
  private wideAgainstExact(what: string, index: HNSW, wide: readonly Hit[], exact: readonly Hit[], model: ReferenceModel, q: Stored, accept: (id: number) => boolean, k: number): void {
    if (wide.length === exact.length && wide.every((h, i) => h.id === exact[i]!.id && h.distance === exact[i]!.distance)) return;
    validHits(what, wide, model, q, accept, k);
    const cut = unreachable(index, model, q);
    const got = new Set(wide.map((h) => h.id));
    const missed = exact.filter((h) => !got.has(h.id) && !cut.has(h.id));
    // Ties at the k-th distance may be settled differently once a reachable id replaces a cut-off one.
    const kth = exact.length === 0 ? Infinity : exact[exact.length - 1]!.distance;
    if (missed.some((h) => h.distance < kth) || cut.size === 0) sameHits(`${what} (missed ids reachable from where the descent ends)`, wide, exact);
    this.stats.disconnected++;
  }

  /** Two indexes that must answer alike: the same ids and vectors, exact answers; small-ef ones too when `walks`. */
  private async sameIndex(what: string, a: HNSW, b: HNSW, model: ReferenceModel, walks: boolean): Promise<void> {
    if (a.size !== b.size || a.numIds !== b.numIds) fail(`${what}: size ${a.size}/${b.size}, numIds ${a.numIds}/${b.numIds}`);
    await this.checkIndex(what, a, model, model.numIds * 31 + 5, false);
    const random = seededRandom(model.numIds + 17);
    for (const q of this.queries(random, model, this.queriesPerCheck)) {
      for (const k of [1, 4, model.live + 1]) {
        sameHits(`${what}: searchExact k=${k}`, a.searchExact(q, k), b.searchExact(q, k));
        // Not compared with each other: a deferred repair may have advanced in one of them (each
        // search runs a slice), which changes what a walk can reach; each is checked on its own.
        const exact = a.searchExact(q, k);
        for (const index of [a, b]) this.wideAgainstExact(`${what}: search k=${k} ef ≥ ids`, index, index.search(q, k, { ef: model.numIds + 8 }), exact, model, q, () => true, k);
        if (walks) for (const ef of [1, 3, 10]) sameHits(`${what}: search k=${k} ef=${ef}`, a.search(q, k, ef), b.search(q, k, ef));
      }
    }
  }

  get currentModel(): ReferenceModel {
    return this.model;
  }

  get savedDirs(): number {
    return this.dirs.length;
  }

  async close(): Promise<void> {
    await this.index.close();
  }
}

/** Runs one sequence: drawn from `seed` (and recorded), or replayed from `ops`. Throws {@link ModelViolation}. */
export async function runModel(config: ModelConfig, options: RunOptions): Promise<{ ops: Op[]; stats: RunStats }> {
  fs.rmSync(options.workDir, { recursive: true, force: true });
  fs.mkdirSync(options.workDir, { recursive: true });
  const run = new ModelRun(config, options.workDir, options.queries);
  const done: Op[] = [];
  const random = seededRandom(options.seed ?? 1);
  const data = new DataSource(config, random);
  const total = options.ops?.length ?? options.count ?? 100;
  try {
    for (let i = 0; i < total; i++) {
      const op = options.ops?.[i] ?? nextOp(random, data, run.currentModel, config, run.savedDirs);
      done.push(op);
      await run.apply(op);
    }
    await run.check(total);
  } catch (e) {
    if (e instanceof Mismatch) throw new ModelViolation(e.message, done);
    if (e instanceof Error) throw new ModelViolation(`${e.constructor.name}: ${e.message}\n${e.stack ?? ''}`, done);
    throw e;
  } finally {
    await run.close();
  }
  return { ops: done, stats: run.stats };
}
