import { join } from 'node:path';
import { ErrorCode, HNSW, type HnswSnapshot, isVegoError } from '@vego/hnsw';
import { SIFT_DIR, clustered, readFvecs, seeded } from './fixtures/data';

/** Links (layer 0 and above) that name a deleted id, and deleted ids that still have links. */
function deadLinks(s: HnswSnapshot): { toDeleted: number; fromDeleted: number } {
  const stride0 = 1 + 2 * s.config.M;
  const strideUp = 1 + s.config.M;
  let toDeleted = 0;
  let fromDeleted = 0;
  const scan = (links: Int32Array, base: number, owner: number): void => {
    const n = links[base]!;
    if (s.deleted[owner] !== 0 && n > 0) fromDeleted++;
    for (let j = 1; j <= n; j++) if (s.deleted[links[base + j]!] !== 0) toDeleted++;
  };
  for (let i = 0; i < s.numIds; i++) {
    scan(s.links0, i * stride0, i);
    for (let l = 1; l <= s.levels[i]!; l++) scan(s.upperLinks, s.upperOffsets[i]! + (l - 1) * strideUp, i);
  }
  return { toDeleted, fromDeleted };
}

function l2(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    s += d * d;
  }
  return s;
}

/** k-th smallest exact distance from query row `qi` to the accepted rows of `data`. */
function kthDistance(data: Float32Array, queries: Float32Array, qi: number, dim: number, k: number, accept: (id: number) => boolean): number {
  const n = data.length / dim;
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!accept(i)) continue;
    const d = l2(data, i * dim, queries, qi * dim, dim);
    if (best.length < k) {
      best.push(d);
      best.sort((x, y) => x - y);
    } else if (d < best[k - 1]!) {
      best[k - 1] = d;
      best.sort((x, y) => x - y);
    }
  }
  return best[k - 1]!;
}

/** recall@k (ties count as hits) of `index` against brute force over the accepted rows of `data`. */
function recall(index: HNSW, data: Float32Array, queries: Float32Array, numQueries: number, dim: number, k: number, ef: number, accept: (id: number) => boolean): number {
  let hits = 0;
  for (let qi = 0; qi < numQueries; qi++) {
    const kth = kthDistance(data, queries, qi, dim, k, accept);
    const got = index.search(queries.subarray(qi * dim, (qi + 1) * dim), k, ef);
    expect(got).toHaveLength(k);
    for (const r of got) {
      expect(accept(r.id)).toBe(true);
      if (l2(data, r.id * dim, queries, qi * dim, dim) <= kth) hits++;
    }
  }
  return hits / (numQueries * k);
}

describe('HNSW delete repair on SIFT-9k', () => {
  const base = readFvecs(join(SIFT_DIR, 'base.fvecs'));
  const query = readFvecs(join(SIFT_DIR, 'query.fvecs'));
  const dim = base.dimension;
  const n = base.length;

  it('repairs 30 % deletes: no link to a deleted id remains, recall@10 >= 0.98 at ef=64, deleted ids never returned', () => {
    const index = new HNSW({ dimension: dim, M: 16, efConstruction: 200, seed: 3, repairThreshold: 1 });
    index.addBatch(base.data);
    const rand = seeded(17);
    const gone = new Uint8Array(n);
    let removed = 0;
    // Delete the entry point too, so the repair has to move it.
    const entry = index.toSnapshot().entryPoint;
    gone[entry] = 1;
    index.delete(entry);
    removed++;
    while (removed < Math.round(0.3 * n)) {
      const id = Math.floor(rand() * n);
      if (gone[id] !== 0) continue;
      gone[id] = 1;
      index.delete(id);
      removed++;
    }
    expect(deadLinks(index.toSnapshot()).toDeleted).toBeGreaterThan(0);
    const result = index.compact();
    expect(result.removedNodes).toBe(removed);
    expect(result.repairedLists).toBeGreaterThan(0);
    const after = index.toSnapshot();
    expect(deadLinks(after)).toEqual({ toDeleted: 0, fromDeleted: 0 });
    expect(after.deleted[after.entryPoint]).toBe(0);
    expect(after.maxLevel).toBe(after.levels[after.entryPoint]);
    expect(index.size).toBe(n - removed);
    const live = (id: number): boolean => gone[id] === 0;
    expect(recall(index, base.data, query.data, 200, dim, 10, 64, live)).toBeGreaterThanOrEqual(0.98);
    // A second call has nothing to do; the repaired index still takes inserts and snapshots.
    expect(index.compact()).toEqual({ removedNodes: 0, repairedLists: 0, relinkedNodes: 0 });
    const restored = HNSW.fromSnapshot(after);
    expect(restored.compact().removedNodes).toBe(0);
    const id = index.add(query.data.subarray(0, dim));
    expect(index.search(query.data.subarray(0, dim), 1)[0]).toEqual({ id, distance: 0 });
  });

  it('keeps recall@10 >= 0.98 at ef=64 after moving 20 % of the vectors to new random positions', () => {
    const index = new HNSW({ dimension: dim, M: 16, efConstruction: 200, seed: 5 });
    index.addBatch(base.data);
    const data = new Float32Array(base.data);
    const rand = seeded(23);
    const moved = new Uint8Array(n);
    let count = 0;
    const v = new Float32Array(dim);
    while (count < 0.2 * n) {
      const id = Math.floor(rand() * n);
      if (moved[id] !== 0) continue;
      moved[id] = 1;
      count++;
      // A new position anywhere in the data's range: a random row, jittered component-wise.
      const src = Math.floor(rand() * n);
      for (let j = 0; j < dim; j++) v[j] = Math.max(0, base.data[src * dim + j]! + (rand() - 0.5) * 40);
      data.set(v, id * dim);
      index.update(id, v);
    }
    expect(Array.from(index.get(n - 1))).toEqual(Array.from(data.subarray((n - 1) * dim)));
    expect(recall(index, data, query.data, 200, dim, 10, 64, () => true)).toBeGreaterThanOrEqual(0.98);
    // Every moved vector is found at its new position.
    let found = 0;
    for (let id = 0; id < n; id += 7) {
      if (moved[id] === 0) continue;
      const hit = index.search(data.subarray(id * dim, (id + 1) * dim), 1, 64)[0]!;
      if (hit.distance === 0) found++;
      else return expect(`moved id ${id} not found (got ${hit.id} at ${hit.distance})`).toBe('');
    }
    expect(found).toBeGreaterThan(0);
  });
});

describe('HNSW automatic repair', () => {
  const dim = 16;
  const n = 1500;
  const all = clustered(n + 30, dim, 15, 41);
  const data = all.subarray(0, n * dim);
  const queries = all.subarray(n * dim);

  function pending(index: HNSW): number {
    const s = index.toSnapshot();
    let p = 0;
    for (let i = 0; i < s.numIds; i++) if (s.deleted[i] !== 0 && s.links0[i * (1 + 2 * s.config.M)] !== 0) p++;
    return p;
  }

  it('repairs by itself once tombstones exceed repairThreshold of the graph', () => {
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 80, repairThreshold: 0.1, repair: 'eager' });
    index.addBatch(data);
    // 150 tombstones out of 1,500 linked nodes is exactly 10 %: not above the threshold yet.
    for (let id = 0; id < 150; id++) index.delete(id);
    expect(pending(index)).toBe(150);
    index.delete(150);
    expect(pending(index)).toBe(0);
    expect(deadLinks(index.toSnapshot())).toEqual({ toDeleted: 0, fromDeleted: 0 });
    // Tombstones count against the nodes still linked: 135 of 1,349 + 135 is above 10 %.
    for (let id = 151; id < 285; id++) index.delete(id);
    expect(pending(index)).toBe(134);
    index.delete(285);
    expect(pending(index)).toBe(0);
    const live = (id: number): boolean => id > 285;
    expect(recall(index, data, queries, 30, dim, 10, 64, live)).toBeGreaterThanOrEqual(0.95);
  });

  it('never repairs by itself with repairThreshold 1, and restores pending tombstones from a snapshot', () => {
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 80, repairThreshold: 1 });
    index.addBatch(data);
    for (let id = 0; id < n - 1; id += 2) index.delete(id);
    expect(pending(index)).toBe(n / 2);
    const restored = HNSW.fromSnapshot(index.toSnapshot());
    expect(restored.compact().removedNodes).toBe(n / 2);
    expect(index.compact().removedNodes).toBe(n / 2);
    expect(restored.toSnapshot()).toEqual(index.toSnapshot());
  });

  it('empties the graph when the last live id is deleted, then grows again', () => {
    const index = new HNSW({ dimension: dim, M: 8, repairThreshold: 1 });
    index.addBatch(data.subarray(0, 40 * dim));
    for (let id = 0; id < 40; id++) index.delete(id);
    expect(index.size).toBe(0);
    expect(index.toSnapshot().entryPoint).toBe(-1);
    expect(index.search(queries.subarray(0, dim), 3)).toEqual([]);
    index.addBatch(data.subarray(40 * dim, 240 * dim));
    const q = queries.subarray(0, dim);
    const got = index.search(q, 5, 64);
    expect(got.map((r) => r.id)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 40)
        .map((id) => ({ id, d: l2(data, id * dim, q, 0, dim) }))
        .sort((a, b) => a.d - b.d || a.id - b.id)
        .slice(0, 5)
        .map((x) => x.id),
    );
  });

  it('rejects a repairThreshold outside [0, 1]', () => {
    for (const bad of [-0.1, 1.5, Number.NaN, '0.5']) {
      try {
        new HNSW({ dimension: 4, repairThreshold: bad as number });
        throw new Error('accepted');
      } catch (e) {
        expect(isVegoError(e) && e.code).toBe(ErrorCode.INVALID_ARGUMENT);
        expect(String(e)).toMatch(/`repairThreshold`/);
      }
    }
    expect(new HNSW({ dimension: 4, repairThreshold: 0 }).config.repairThreshold).toBe(0);
  });
});
