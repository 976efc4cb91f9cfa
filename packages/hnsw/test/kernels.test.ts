import { dotFloat32, l2Float32, simdKernels, simdModule, wasmApi, WASM_MAX_PAGES } from '../src/internal/kernels';
import { seeded } from './fixtures/data';

describe('distance kernels', () => {
  it('compiles the hand-written SIMD module on this Node', () => {
    expect(simdModule()).not.toBeNull();
  });

  it('gives bit-identical results in WebAssembly SIMD and in the TypeScript fallback', () => {
    const module = simdModule()!;
    const memory = new wasmApi!.Memory({ initial: 1, maximum: WASM_MAX_PAGES, shared: true });
    const { l2, dot } = simdKernels(module, memory);
    const v = new Float32Array(memory.buffer);
    const rand = seeded(21);
    for (let i = 0; i < 4096; i++) v[i] = (rand() - 0.5) * (i % 7 === 0 ? 1e4 : 3);
    // 24, 40 and 200 take the 8-float step after the 16-float loop (or instead of it, for 8).
    for (const floats of [8, 16, 24, 40, 128, 200, 960]) {
      for (let t = 0; t < 20; t++) {
        const a = Math.floor(rand() * (4096 - floats) / 8) * 8;
        const b = Math.floor(rand() * (4096 - floats) / 8) * 8;
        expect(l2Float32(v, a, b, floats)).toBe(l2(a * 4, b * 4, floats * 4));
        expect(dotFloat32(v, a, b, floats)).toBe(dot(a * 4, b * 4, floats * 4));
      }
    }
    v.fill(0, 0, 16);
    v[3] = 3;
    v[8 + 3] = -1;
    expect(l2(0, 32, 32)).toBe(16);
    expect(dot(0, 32, 32)).toBe(-3);
  });

  it('l2_many / dot_many write, for each listed offset, exactly what l2 / dot return', () => {
    const module = simdModule()!;
    const memory = new wasmApi!.Memory({ initial: 1, maximum: WASM_MAX_PAGES, shared: true });
    const { l2, dot, l2Many, dotMany } = simdKernels(module, memory);
    const v = new Float32Array(memory.buffer);
    const i32 = new Int32Array(memory.buffer);
    const rand = seeded(22);
    for (let i = 0; i < 8192; i++) v[i] = (rand() - 0.5) * 3;
    const list = 8192 * 4; // byte offset of the offsets list
    const out = list + 4 * 64; // and of the results
    for (const floats of [8, 24, 128, 200]) {
      for (const count of [0, 1, 5, 32]) {
        const q = Math.floor(rand() * (8192 - floats) / 8) * 8 * 4;
        const offsets = Array.from({ length: count }, () => Math.floor(rand() * (8192 - floats) / 8) * 8 * 4);
        offsets.forEach((o, i) => { i32[list / 4 + i] = o; });
        v.fill(-7, out / 4, out / 4 + 33);
        l2Many(q, list, count, floats * 4, out);
        offsets.forEach((o, i) => expect(v[out / 4 + i]).toBe(l2(q, o, floats * 4)));
        expect(v[out / 4 + count]).toBe(-7); // nothing written past count
        dotMany(q, list, count, floats * 4, out);
        offsets.forEach((o, i) => expect(v[out / 4 + i]).toBe(dot(q, o, floats * 4)));
      }
    }
  });
});
