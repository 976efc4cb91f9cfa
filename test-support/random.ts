/**
 * The one seeded generator of the tests, benchmarks and examples (mulberry32): they draw all their
 * randomness from it, so every run sees the same data and a failure replays exactly. (The library
 * itself has its own, `Prng` in @vego/hnsw, whose state is saved with an index; same algorithm.)
 */

/**
 * A generator of floats in [0, 1) from a 32-bit seed.
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const x = random();
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from a generator made by {@link seededRandom}. */
export function gaussian(random: () => number): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
