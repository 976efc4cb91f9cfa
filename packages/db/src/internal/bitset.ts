/**
 * Bitsets over internal document ids: one bit per id in a Uint32Array, bit `id & 31` of word
 * `id >>> 5`. The filter evaluator produces them and searches test them; see `doc-ids.ts` for the
 * contract other modules (the full-text index) rely on.
 */

/** A new all-zero bitset able to hold ids `0 … numIds - 1`. */
export function newBitset(numIds: number): Uint32Array {
  return new Uint32Array((numIds + 31) >>> 5);
}

/** True when bit `id` is set (ids past the end read as unset). */
export function hasBit(bits: Uint32Array, id: number): boolean {
  return ((bits[id >>> 5]! >>> (id & 31)) & 1) === 1;
}

/** Sets bit `id`. */
export function setBit(bits: Uint32Array, id: number): void {
  bits[id >>> 5]! |= 1 << (id & 31);
}

/** Number of set bits. */
export function popcount(bits: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i]!;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  }
  return n;
}

/** `a &= b` (in place); returns `a`. */
export function andInPlace(a: Uint32Array, b: Uint32Array): Uint32Array {
  const n = a.length;
  for (let i = 0; i < n; i++) a[i] = a[i]! & b[i]!;
  return a;
}

/** `a |= b` (in place); returns `a`. */
export function orInPlace(a: Uint32Array, b: Uint32Array): Uint32Array {
  const n = a.length;
  for (let i = 0; i < n; i++) a[i] = a[i]! | b[i]!;
  return a;
}

/** `a &= ~b` (in place); returns `a`. */
export function andNotInPlace(a: Uint32Array, b: Uint32Array): Uint32Array {
  const n = a.length;
  for (let i = 0; i < n; i++) a[i] = a[i]! & ~b[i]!;
  return a;
}

/**
 * Writes the set ids in ascending order into `out` (grown if needed) and returns the count and the
 * array used. No allocation beyond a growth of `out`.
 */
export function setBitsToIds(bits: Uint32Array, out: Int32Array): { ids: Int32Array; count: number } {
  const total = popcount(bits);
  const ids = out.length >= total ? out : new Int32Array(total);
  let n = 0;
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w]!;
    while (v !== 0) {
      const t = v & -v;
      ids[n++] = (w << 5) + (31 - Math.clz32(t));
      v ^= t;
    }
  }
  return { ids, count: n };
}
