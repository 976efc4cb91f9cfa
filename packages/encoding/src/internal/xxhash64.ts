/**
 * XXH64 (seed 0), the hash behind ZSTD's Content_Checksum (its low 32 bits). Never exported from the
 * package. 64-bit arithmetic runs on 32-bit halves held in locals and two module-level result
 * registers, so the loop allocates nothing and uses no BigInt.
 */

const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

// Result registers of the helpers below (high and low halves).
let rh = 0;
let rl = 0;

function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33, exact
  const low = a0 * b0 + (mid % 65536) * 65536; // < 2^49, exact
  const carry = Math.floor(low / 4294967296);
  rl = low >>> 0;
  rh = (a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotate left by r (1..31). */
function rotl(h: number, l: number, r: number): void {
  rh = ((h << r) | (l >>> (32 - r))) >>> 0;
  rl = ((l << r) | (h >>> (32 - r))) >>> 0;
}

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** acc = rotl(acc + input * P2, 31) * P1; result in rh/rl. */
function round(accH: number, accL: number, inH: number, inL: number): void {
  mul(inH, inL, P2H, P2L);
  add(accH, accL, rh, rl);
  rotl(rh, rl, 31);
  mul(rh, rl, P1H, P1L);
}

/** acc = (acc ^ round(0, v)) * P1 + P4; result in rh/rl. */
function merge(accH: number, accL: number, vH: number, vL: number): void {
  round(0, 0, vH, vL);
  mul((accH ^ rh) >>> 0, (accL ^ rl) >>> 0, P1H, P1L);
  add(rh, rl, P4H, P4L);
}

/**
 * Low 32 bits of XXH64(bytes[start, end), seed 0): ZSTD's content checksum.
 * @returns an unsigned 32-bit number.
 */
export function xxhash64Low32(bytes: Uint8Array, start: number, end: number): number {
  const len = end - start;
  let p = start;
  let hH: number;
  let hL: number;
  if (len >= 32) {
    add(P1H, P1L, P2H, P2L);
    let v1h = rh, v1l = rl;
    let v2h = P2H, v2l = P2L;
    let v3h = 0, v3l = 0;
    // v4 = 0 - P1 (two's complement)
    let v4l = (-P1L) >>> 0;
    let v4h = (~P1H + (v4l === 0 ? 1 : 0)) >>> 0;
    const limit = end - 32;
    while (p <= limit) {
      round(v1h, v1l, u32(bytes, p + 4), u32(bytes, p)); v1h = rh; v1l = rl;
      round(v2h, v2l, u32(bytes, p + 12), u32(bytes, p + 8)); v2h = rh; v2l = rl;
      round(v3h, v3l, u32(bytes, p + 20), u32(bytes, p + 16)); v3h = rh; v3l = rl;
      round(v4h, v4l, u32(bytes, p + 28), u32(bytes, p + 24)); v4h = rh; v4l = rl;
      p += 32;
    }
    rotl(v1h, v1l, 1); hH = rh; hL = rl;
    rotl(v2h, v2l, 7); add(hH, hL, rh, rl); hH = rh; hL = rl;
    rotl(v3h, v3l, 12); add(hH, hL, rh, rl); hH = rh; hL = rl;
    rotl(v4h, v4l, 18); add(hH, hL, rh, rl); hH = rh; hL = rl;
    merge(hH, hL, v1h, v1l); hH = rh; hL = rl;
    merge(hH, hL, v2h, v2l); hH = rh; hL = rl;
    merge(hH, hL, v3h, v3l); hH = rh; hL = rl;
    merge(hH, hL, v4h, v4l); hH = rh; hL = rl;
  } else {
    hH = P5H;
    hL = P5L;
  }
  // h += len (len < 2^53: split into halves)
  add(hH, hL, Math.floor(len / 4294967296) >>> 0, len >>> 0); hH = rh; hL = rl;
  while (p + 8 <= end) {
    round(0, 0, u32(bytes, p + 4), u32(bytes, p));
    rotl((hH ^ rh) >>> 0, (hL ^ rl) >>> 0, 27);
    mul(rh, rl, P1H, P1L);
    add(rh, rl, P4H, P4L); hH = rh; hL = rl;
    p += 8;
  }
  if (p + 4 <= end) {
    mul(0, u32(bytes, p), P1H, P1L);
    rotl((hH ^ rh) >>> 0, (hL ^ rl) >>> 0, 23);
    mul(rh, rl, P2H, P2L);
    add(rh, rl, P3H, P3L); hH = rh; hL = rl;
    p += 4;
  }
  while (p < end) {
    mul(0, bytes[p]!, P5H, P5L);
    rotl((hH ^ rh) >>> 0, (hL ^ rl) >>> 0, 11);
    mul(rh, rl, P1H, P1L); hH = rh; hL = rl;
    p++;
  }
  // avalanche
  hL = (hL ^ (hH >>> 1)) >>> 0; // h ^= h >> 33 (the shifted value's high half is 0)
  mul(hH, hL, P2H, P2L); hH = rh; hL = rl;
  hL = (hL ^ ((hH << 3) | (hL >>> 29))) >>> 0; // h ^= h >> 29
  hH = (hH ^ (hH >>> 29)) >>> 0;
  mul(hH, hL, P3H, P3L); hH = rh; hL = rl;
  hL = (hL ^ hH) >>> 0; // h ^= h >> 32
  return hL;
}
