/**
 * A small seeded generator (mulberry32): one unsigned 32-bit word of state, so it can be saved with
 * the index and resumed. Deterministic across platforms: only 32-bit integer maths.
 */
export class Prng {
  /** The whole state; reading and writing it saves and restores the sequence. */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next value, uniform in [0, 1), 32 bits of precision. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
