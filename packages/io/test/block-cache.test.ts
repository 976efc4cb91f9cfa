import { BlockCache, InvalidArgumentError } from '@vego/io';

describe('BlockCache', () => {
  it('evicts the least recently used blocks to stay within capacityBytes', () => {
    const cache = new BlockCache({ capacityBytes: 3000, blockBytes: 1024 });
    const k = cache.newSourceKey();
    cache.set(k, 0, new Uint8Array(1000));
    cache.set(k, 1, new Uint8Array(1000));
    cache.set(k, 2, new Uint8Array(1000));
    expect(cache.get(k, 0)).toBeDefined(); // 0 becomes most recent; 1 is now the oldest
    cache.set(k, 3, new Uint8Array(1000));
    expect(cache.get(k, 1)).toBeUndefined();
    expect(cache.get(k, 0)).toBeDefined();
    expect(cache.get(k, 2)).toBeDefined();
    expect(cache.get(k, 3)).toBeDefined();
    const s = cache.stats();
    expect(s).toMatchObject({ hits: 4, misses: 1, evictions: 1, entries: 3, byteLength: 3000, capacityBytes: 3000 });
    expect(s.hitRate).toBeCloseTo(0.8);
  });

  it('peeks without counting or changing the eviction order', () => {
    const cache = new BlockCache({ capacityBytes: 2000, blockBytes: 1024 });
    const k = cache.newSourceKey();
    const first = new Uint8Array(1000);
    cache.set(k, 0, first);
    cache.set(k, 1, new Uint8Array(1000));
    expect(cache.peek(k, 0)).toBe(first); // does not make 0 the most recent
    expect(cache.peek(k, 5)).toBeUndefined();
    cache.set(k, 2, new Uint8Array(1000));
    expect(cache.peek(k, 0)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, evictions: 1 });
  });

  it('keeps sources apart and drops one source without touching the other', () => {
    const cache = new BlockCache({ capacityBytes: 1 << 20 });
    const a = cache.newSourceKey();
    const b = cache.newSourceKey();
    cache.set(a, 0, new Uint8Array([1]));
    cache.set(b, 0, new Uint8Array([2]));
    expect(cache.get(a, 0)![0]).toBe(1);
    expect(cache.get(b, 0)![0]).toBe(2);
    cache.deleteSource(a);
    expect(cache.get(a, 0)).toBeUndefined();
    expect(cache.get(b, 0)![0]).toBe(2);
    expect(cache.stats().byteLength).toBe(1);
  });

  it('does not store a block larger than the capacity and accounts replaced blocks', () => {
    const cache = new BlockCache({ capacityBytes: 100, blockBytes: 512 });
    const k = cache.newSourceKey();
    cache.set(k, 0, new Uint8Array(101));
    expect(cache.stats().entries).toBe(0);
    cache.set(k, 1, new Uint8Array(60));
    cache.set(k, 1, new Uint8Array(40));
    expect(cache.stats()).toMatchObject({ entries: 1, byteLength: 40, evictions: 0 });
    cache.clear();
    expect(cache.stats().byteLength).toBe(0);
    cache.resetStats();
    expect(cache.stats().hits + cache.stats().misses).toBe(0);
  });

  it('rejects a bad capacity or block size with InvalidArgumentError', () => {
    expect(() => new BlockCache({ capacityBytes: -1 })).toThrow(InvalidArgumentError);
    expect(() => new BlockCache({ blockBytes: 1000 })).toThrow(/blockBytes/);
    expect(() => new BlockCache({ blockBytes: 256 })).toThrow(InvalidArgumentError);
  });
});
