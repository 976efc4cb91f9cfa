/**
 * The row hash of node checksums (format version 2, `src/internal/row-hash.ts`): the WebAssembly
 * module is exactly its text form, gives the same words as its TypeScript twin on every row
 * length (whole 16-word blocks, 4-word pieces, a 1–3 word tail), and any one changed word changes
 * them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtFactory from 'wabt';
import { seededRandom } from '@vego/test-support';
import { hashRows, hashRowsGathered, hashRowsInMemory, hashRowsInPlace, hashRowsTwin, rowHashInWasm, rowHashMemoryBytes, rowHashModuleBytes } from '../src/internal/row-hash';
import { nodeChecksum } from '../src/persistence/checksums';
import type { WasmMemory } from '../src/internal/kernels';

function randomWords(count: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = (random() * 4294967296) | 0;
  return out;
}

describe('row hash (node checksums, format version 2)', () => {
  it('row-hash.wat assembles to exactly the module bytes the library embeds', async () => {
    const wabt = await wabtFactory();
    const module = wabt.parseWat('row-hash.wat', readFileSync(join(__dirname, '../src/internal/row-hash.wat'), 'utf8'), { simd: true, threads: true });
    try {
      module.resolveNames();
      const assembled = module.toBinary({ log: false, write_debug_names: false }).buffer;
      expect(Buffer.from(assembled).toString('hex')).toBe(Buffer.from(rowHashModuleBytes()).toString('hex'));
    } finally {
      module.destroy();
    }
  });

  it('runs in WebAssembly on Node and gives the twin’s words for every row length 1 to 70, strided and in many chunks', () => {
    expect(rowHashInWasm()).toBe(true);
    for (let len = 1; len <= 70; len++) {
      const stride = len + (len % 3);
      const count = 37;
      const words = randomWords(5 + stride * count, len);
      const a = new Uint32Array(2 * count + 4);
      const b = new Uint32Array(2 * count + 4);
      const fa = hashRows(words, 5, stride, len, count, a, 4);
      const fb = hashRowsTwin(words, 5, stride, len, count, b, 4);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(fa).toBe(fb);
    }
    // 100K-ish bytes per row crosses chunk boundaries with one row per chunk.
    const big = randomWords(3 * 70_000, 9);
    const a = new Uint32Array(6);
    const b = new Uint32Array(6);
    hashRows(big, 0, 70_000, 70_000, 3, a, 0);
    hashRowsTwin(big, 0, 70_000, 70_000, 3, b, 0);
    expect(Array.from(a)).toEqual(Array.from(b));
    // Many small rows: several chunks of the module's memory.
    const many = randomWords(128 * 3000, 10);
    const c = new Uint32Array(6000);
    const d = new Uint32Array(6000);
    hashRows(many, 0, 128, 128, 3000, c, 0);
    hashRowsTwin(many, 0, 128, 128, 3000, d, 0);
    expect(Array.from(c)).toEqual(Array.from(d));
    // The longest row that fits the module's one page still hashes there, with the twin's words.
    const wide = randomWords(2 * 16_000, 11);
    const e = new Uint32Array(4);
    const f = new Uint32Array(4);
    hashRows(wide, 0, 16_000, 16_000, 2, e, 0);
    hashRowsTwin(wide, 0, 16_000, 16_000, 2, f, 0);
    expect(Array.from(e)).toEqual(Array.from(f));
    // None of this grew the module's memory (a grow detaches an ArrayBuffer, which slows every
    // typed-array access in the process afterwards; see row-hash.ts).
    expect(rowHashMemoryBytes()).toBe(65536);
  });

  it('hashes rows where they lie in a shared WebAssembly memory (an index’s vector memory) with the twin’s words, never growing it', () => {
    const Wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared?: boolean }) => WasmMemory } }).WebAssembly;
    const memory = new Wasm.Memory({ initial: 4, maximum: 100, shared: true });
    const bytes = memory.buffer.byteLength;
    const mem = new Int32Array(memory.buffer);
    for (let len = 1; len <= 70; len++) {
      const count = 1 + (len % 37);
      const src = 1040 + 4 * len; // rows back to back from a byte that is not 16-aligned for odd lengths
      const words = randomWords(len * count, 500 + len);
      mem.set(words, src / 4);
      const expected = new Uint32Array(2 * count);
      const flag = hashRowsTwin(words, 0, len, len, count, expected, 0);
      expect(hashRowsInMemory(memory, src, len, count, 0)).toBe(flag);
      expect(Array.from(new Uint32Array(memory.buffer, 0, 2 * count))).toEqual(Array.from(expected));
    }
    // A NaN in the last row is reported; a row of finite words is not.
    const f = new Float32Array(memory.buffer, 4096, 3 * 16).fill(1.5);
    expect(hashRowsInMemory(memory, 4096, 16, 3, 0)).toBe(0);
    f[3 * 16 - 1] = NaN;
    expect(hashRowsInMemory(memory, 4096, 16, 3, 0)).toBe(1);
    expect(memory.buffer.byteLength).toBe(bytes);
    // A memory that is not shared cannot be imported: −1, nothing written (the caller copies instead).
    const plain = new Wasm.Memory({ initial: 1, maximum: 1 });
    new Int32Array(plain.buffer).fill(7);
    expect(hashRowsInMemory(plain, 64, 16, 1, 0)).toBe(-1);
    expect(new Int32Array(plain.buffer)[0]).toBe(7);
  });

  it('hashes a view’s rows in place through a scratch region with the twin’s words (last partial chunk too), puts the region back, and copies otherwise', () => {
    const Wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared?: boolean }) => WasmMemory } }).WebAssembly;
    const memory = new Wasm.Memory({ initial: 40, maximum: 100, shared: true });
    const bytes = memory.buffer.byteLength;
    // Scratch: 1 KiB at byte 256 (128 rows per call), filled with a pattern that must come back.
    const place = { memory, at: 256, bytes: 1024 };
    const scratch = new Uint8Array(memory.buffer, place.at, place.bytes);
    for (let i = 0; i < scratch.length; i++) scratch[i] = (i * 37 + 11) & 255;
    const pattern = Array.from(scratch);
    for (const [len, count] of [
      [33, 1],
      [33, 1000], // links0 rows of M = 16: several calls, a last partial one (1000 = 7 · 128 + 104)
      [128, 300], // vectors of dimension 128: chunks of 128 rows (64 KiB), a partial last
      [5, 129],
      [1, 40],
    ] as const) {
      const first = 7; // rows start at word 7 of the view (view itself at byte 4096)
      const view = new Int32Array(memory.buffer, 4096, first + len * count);
      view.set(randomWords(len * count, 900 + len), first);
      view[first + len * count - 1] = 0x7fc00000; // NaN in the last word of the last row
      const expected = new Uint32Array(2 * count + 2);
      const flag = hashRowsTwin(view, first, len, len, count, expected, 2);
      const got = new Uint32Array(2 * count + 2);
      expect(hashRowsInPlace(place, view, first, len, count, got, 2)).toBe(flag);
      expect(flag).toBe(1);
      expect(Array.from(got)).toEqual(Array.from(expected));
      expect(Array.from(scratch)).toEqual(pattern);
    }
    // Rows that are not in the place's memory, rows over the scratch region, no place: same words (copied).
    const plainRows = randomWords(33 * 50, 77);
    const expected = new Uint32Array(100);
    hashRowsTwin(plainRows, 0, 33, 33, 50, expected, 0);
    for (const [view, first, p] of [
      [plainRows, 0, place],
      [plainRows, 0, null],
    ] as const) {
      const got = new Uint32Array(100);
      hashRowsInPlace(p, view, first, 33, 50, got, 0);
      expect(Array.from(got)).toEqual(Array.from(expected));
    }
    const over = new Int32Array(memory.buffer, 0, 33 * 50);
    over.set(plainRows);
    const got = new Uint32Array(100);
    hashRowsInPlace(place, over, 0, 33, 50, got, 0);
    expect(Array.from(got)).toEqual(Array.from(expected));
    expect(memory.buffer.byteLength).toBe(bytes);
  });

  it('hashes scattered rows gathered (many pages of them, any order of slots) with the twin’s words per row, leaving other slots alone', () => {
    for (const len of [1, 5, 33, 128, 200]) {
      const rowsInWords = 900;
      const words = randomWords(rowsInWords * len + 7, 1000 + len);
      const random = seededRandom(len);
      const count = 700;
      const offsets = new Int32Array(count);
      const slots = new Int32Array(count);
      for (let k = 0; k < count; k++) {
        offsets[k] = Math.floor(random() * (rowsInWords * len + 7 - len));
        slots[k] = (k * 7919) % 1000; // distinct, out of order
      }
      const out = new Uint32Array(2 * 1000).fill(0xdeadbeef);
      const flag = hashRowsGathered(words, offsets, slots, count, len, out);
      const one = new Uint32Array(2);
      const written = new Set(slots);
      let expectedFlag = 0;
      for (let k = 0; k < count; k++) {
        expectedFlag |= hashRowsTwin(words, offsets[k]!, len, len, 1, one, 0);
        expect([out[2 * slots[k]!], out[2 * slots[k]! + 1]]).toEqual([one[0], one[1]]);
      }
      expect(flag).toBe(expectedFlag);
      for (let s = 0; s < 1000; s++) if (!written.has(s)) expect(out[2 * s]).toBe(0xdeadbeef);
    }
    // The non-finite flag: a NaN word in one gathered row.
    const words = new Int32Array(64);
    words[40] = 0x7fc00000;
    expect(hashRowsGathered(words, Int32Array.of(0, 36), Int32Array.of(0, 1), 2, 8, new Uint32Array(4))).toBe(1);
    expect(hashRowsGathered(words, Int32Array.of(0, 8), Int32Array.of(0, 1), 2, 8, new Uint32Array(4))).toBe(0);
  });

  it('changes both words when any one word of a row changes (every position, lengths 1 to 40)', () => {
    const random = seededRandom(3);
    for (let len = 1; len <= 40; len++) {
      const words = randomWords(len, 100 + len);
      const base = new Uint32Array(2);
      hashRows(words, 0, len, len, 1, base, 0);
      const now = new Uint32Array(2);
      for (let j = 0; j < len; j++) {
        const keep = words[j]!;
        words[j] = keep ^ (1 << Math.floor(random() * 32));
        hashRows(words, 0, len, len, 1, now, 0);
        expect(now[0]).not.toBe(base[0]);
        expect(now[1]).not.toBe(base[1]);
        words[j] = keep;
      }
      // Swapping two different words is noticed too (the chains are position-dependent).
      if (len >= 2 && words[0] !== words[len - 1]) {
        [words[0], words[len - 1]] = [words[len - 1]!, words[0]!];
        hashRows(words, 0, len, len, 1, now, 0);
        expect([now[0], now[1]]).not.toEqual([base[0], base[1]]);
      }
    }
  });

  it('reports NaN and ±∞ words (read as float32) in a row and nothing else', () => {
    const f = new Float32Array(40).map((_, i) => i - 20.5);
    const w = new Int32Array(f.buffer);
    const out = new Uint32Array(2);
    expect(hashRows(w, 0, 40, 40, 1, out, 0)).toBe(0);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 17, 36, 39]) {
        const keep = f[at]!;
        f[at] = bad;
        expect(hashRows(w, 0, 40, 40, 1, out, 0)).toBe(1);
        expect(hashRowsTwin(w, 0, 40, 40, 1, out, 0)).toBe(1);
        f[at] = keep;
      }
    }
    f[3] = 3.4e38;
    f[4] = -0;
    expect(hashRows(w, 0, 40, 40, 1, out, 0)).toBe(0);
  });

  it('gives the recorded words for fixed rows (format version 2 files depend on them: a change here needs a new format version)', () => {
    const words = new Int32Array(21).map((_, i) => Math.imul(i, 0x01010101));
    const expected: Record<number, [number, number]> = { 3: [0x758027d6, 0x16dc77be], 16: [0xae06eeb5, 0x81c5b8f1], 21: [0xd5bec80f, 0xa4bc36dd] };
    for (const [len, words2] of Object.entries(expected)) {
      const out = new Uint32Array(2);
      hashRows(words, 0, Number(len), Number(len), 1, out, 0);
      expect(Array.from(out)).toEqual(words2);
      hashRowsTwin(words, 0, Number(len), Number(len), 1, out, 0);
      expect(Array.from(out)).toEqual(words2);
    }
    // A node checksum of version 2: id 42, level 1, deleted (b = 2 · level + deleted = 3).
    const sum = new Uint32Array(2);
    nodeChecksum(2, words, 0, 16, 42, 3, sum, 0);
    expect(Array.from(sum)).toEqual([0x3ad1c897, 0x2a9194ca]);
  });
});
