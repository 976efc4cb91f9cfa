// Seeded byte mutations. Every mutation is a pure function of (bytes, generator): a case is replayed
// exactly from its seed. Positions are drawn half the time from the last quarter of the input, where
// Lance keeps its structure (column metadata, offset tables, footer), half the time uniformly.
import { below, pick } from './lib.mjs';

/** Values that break length fields: zero, one, sign and width boundaries, huge. */
const INTERESTING_U32 = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const INTERESTING_U64 = [[0, 0], [0xffffffff, 0xffffffff], [0, 1], [0, 0x100], [0, 0x7fffffff], [0x7fffffff, 0], [0x80000000, 0]];

/** Mutation kinds, by name (the summary counts them). */
export const MUTATIONS = ['bitflip', 'byteset', 'truncate', 'extend', 'length-u32', 'length-u64', 'length-relative', 'splice', 'varint'];

function position(r, length) {
  if (length === 0) return 0;
  if (r() < 0.5) {
    const start = Math.floor(length * 0.75);
    return start + below(r, length - start);
  }
  return below(r, length);
}

function setU32(bytes, at, v) {
  if (at + 4 > bytes.length) return;
  bytes[at] = v & 0xff;
  bytes[at + 1] = (v >>> 8) & 0xff;
  bytes[at + 2] = (v >>> 16) & 0xff;
  bytes[at + 3] = (v >>> 24) & 0xff;
}

function getU32(bytes, at) {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/**
 * Applies one to three seeded mutations to a copy of `input`.
 * @param {Uint8Array} input
 * @param {() => number} r - the case's generator
 * @returns {{ bytes: Uint8Array, ops: string[] }} the mutated copy and what was done (for reports)
 */
export function mutateBytes(input, r) {
  let bytes = input.slice();
  const ops = [];
  const count = 1 + below(r, 3);
  for (let m = 0; m < count; m++) {
    const kind = pick(r, MUTATIONS);
    const n = bytes.length;
    switch (kind) {
      case 'bitflip': {
        if (n === 0) break;
        const at = position(r, n);
        const bit = below(r, 8);
        bytes[at] ^= 1 << bit;
        ops.push(`bitflip@${at}.${bit}`);
        break;
      }
      case 'byteset': {
        if (n === 0) break;
        const at = position(r, n);
        const v = pick(r, [0, 0xff, 0x7f, 0x80, 1, below(r, 256)]);
        bytes[at] = v;
        ops.push(`byteset@${at}=${v}`);
        break;
      }
      case 'truncate': {
        const len = below(r, n + 1);
        bytes = bytes.slice(0, len);
        ops.push(`truncate→${len}`);
        break;
      }
      case 'extend': {
        const extra = 1 + below(r, 64);
        const out = new Uint8Array(n + extra);
        out.set(bytes);
        const fill = r() < 0.5 ? 0 : -1;
        for (let i = n; i < out.length; i++) out[i] = fill === 0 ? 0 : below(r, 256);
        bytes = out;
        ops.push(`extend+${extra}${fill === 0 ? '(zeros)' : ''}`);
        break;
      }
      case 'length-u32': {
        if (n < 4) break;
        // 4-aligned half the time: Lance's fixed fields (footer, offset tables) are aligned.
        let at = position(r, n - 3);
        if (r() < 0.5) at &= ~3;
        const v = pick(r, INTERESTING_U32);
        setU32(bytes, at, v);
        ops.push(`u32@${at}=${v}`);
        break;
      }
      case 'length-u64': {
        if (n < 8) break;
        let at = position(r, n - 7);
        if (r() < 0.5) at &= ~7;
        const [lo, hi] = pick(r, INTERESTING_U64);
        setU32(bytes, at, lo);
        setU32(bytes, at + 4, hi);
        ops.push(`u64@${at}=${hi}:${lo}`);
        break;
      }
      case 'length-relative': {
        // Nudge an existing little-endian u32 by a small amount: off-by-one lengths and offsets.
        if (n < 4) break;
        let at = position(r, n - 3);
        if (r() < 0.5) at &= ~3;
        const delta = pick(r, [-8, -1, 1, 8, 64, 4096]);
        const v = (getU32(bytes, at) + delta) >>> 0;
        setU32(bytes, at, v);
        ops.push(`u32@${at}${delta >= 0 ? '+' : ''}${delta}`);
        break;
      }
      case 'splice': {
        // Copy a run of bytes over another place (a length field from elsewhere, a duplicated header).
        if (n < 2) break;
        const len = 1 + below(r, Math.min(16, n - 1));
        const from = below(r, n - len + 1);
        const to = position(r, n - len + 1);
        bytes.copyWithin(to, from, from + len);
        ops.push(`splice ${from}+${len}→${to}`);
        break;
      }
      case 'varint': {
        // Protobuf lengths are varints: make one long (continuation bits) or huge.
        if (n < 5) break;
        const at = position(r, n - 4);
        const long = r() < 0.5;
        for (let i = 0; i < 4; i++) bytes[at + i] = long ? 0xff : pick(r, [0x80, 0xff, 0x8f]);
        bytes[at + 4] = long ? 0x0f : 0x01;
        ops.push(`varint@${at}${long ? '(huge)' : ''}`);
        break;
      }
      default:
        throw new Error(`unknown mutation ${kind}`);
    }
  }
  return { bytes, ops };
}
