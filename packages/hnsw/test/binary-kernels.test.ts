import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtFactory from 'wabt';
import { seededRandom } from '@vego/test-support';
import { METRIC_HAMMING, METRIC_JACCARD, binaryKernels, binaryModuleBytes, binarySimdModule, binaryStrideBytes } from '../src/internal/binary-kernels';
import { WASM_PAGE_BYTES, wasmApi } from '../src/internal/kernels';
import { refDistance } from './binary-support';

// Plain references (binary-support.ts): one bit at a time, no tricks shared with the kernels.
const refHamming = (a: Uint8Array, b: Uint8Array): number => refDistance('hamming', a, b);
const refJaccard = (a: Uint8Array, b: Uint8Array): number => refDistance('jaccard', a, b);

describe('binary kernel source (.wat beside the bytes)', () => {
  it('binary-kernels.wat assembles to exactly the module bytes the library builds, which the engine accepts', async () => {
    const wabt = await wabtFactory();
    const file = join(__dirname, '../src/internal/binary-kernels.wat');
    const module = wabt.parseWat(file, readFileSync(file, 'utf8'), { simd: true, threads: true });
    let assembled: Uint8Array;
    try {
      module.resolveNames();
      assembled = module.toBinary({ log: false, write_debug_names: false }).buffer;
    } finally {
      module.destroy();
    }
    expect(Buffer.from(assembled).toString('hex')).toBe(Buffer.from(binaryModuleBytes()).toString('hex'));
    expect(wasmApi!.validate(assembled)).toBe(true);
    expect(binarySimdModule()).not.toBeNull();
  });
});

describe('binary kernels: SIMD and fallback equal a plain popcount reference', () => {
  // Vectors at byte offsets of one shared memory, as the graph lays them out (slot i at i · stride).
  const random = seededRandom(1606);
  const memory = new wasmApi!.Memory({ initial: 4, maximum: 16, shared: true });
  const holder = { vectors: new Float32Array(memory.buffer) };
  const bytes = new Uint8Array(memory.buffer);

  it.each([8, 128, 136, 256, 512, 1024, 4096, 8192])('%i bits', (bits) => {
    const stride = binaryStrideBytes(bits);
    expect(stride % 16).toBe(0);
    expect(stride).toBeGreaterThanOrEqual(bits / 8);
    const count = 24;
    bytes.fill(0, 0, (count + 1) * stride);
    const vecs: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const v = new Uint8Array(bits / 8);
      // Mixed densities: all zeros, all ones, sparse (as fingerprints) and uniform.
      const density = i === 0 || i === 1 ? 0 : i === 2 ? 1 : i % 3 === 0 ? 0.05 : 0.5;
      for (let j = 0; j < bits; j++) if (random() < density) v[j >> 3]! |= 1 << (j & 7);
      vecs.push(v);
      bytes.set(v, i * stride);
    }
    const simdH = binaryKernels(METRIC_HAMMING, memory, holder);
    const simdJ = binaryKernels(METRIC_JACCARD, memory, holder);
    const fallH = binaryKernels(METRIC_HAMMING, null, holder);
    const fallJ = binaryKernels(METRIC_JACCARD, null, holder);
    expect(simdH.many).not.toBeNull();
    expect(fallH.many).toBeNull();
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < count; j++) {
        const h = refHamming(vecs[i]!, vecs[j]!);
        const jac = refJaccard(vecs[i]!, vecs[j]!);
        expect(simdH.kernel(i * stride, j * stride, stride)).toBe(h);
        expect(fallH.kernel(i * stride, j * stride, stride)).toBe(h);
        expect(simdJ.kernel(i * stride, j * stride, stride)).toBe(jac);
        expect(fallJ.kernel(i * stride, j * stride, stride)).toBe(jac);
      }
    }
    // Both all-zero vectors: Jaccard distance 0 by definition (not NaN); identical vectors: 0.
    expect(simdJ.kernel(0, stride, stride)).toBe(0);
    expect(simdJ.kernel(2 * stride, 2 * stride, stride)).toBe(0);
    expect(simdJ.kernel(0, 2 * stride, stride)).toBe(1);
    expect(simdH.kernel(0, 2 * stride, stride)).toBe(bits);

    // The list form: offsets listed as i32s, distances out as f32s, past every vector.
    const listAt = Math.ceil(((count + 1) * stride) / 16) * 16;
    const outAt = listAt + 4 * count;
    expect(outAt + 4 * count).toBeLessThan(memory.buffer.byteLength);
    const i32 = new Int32Array(memory.buffer);
    const f32 = new Float32Array(memory.buffer);
    for (let j = 0; j < count; j++) i32[(listAt >> 2) + j] = j * stride;
    simdH.many!(5 * stride, listAt, count, stride, outAt);
    for (let j = 0; j < count; j++) expect(f32[(outAt >> 2) + j]).toBe(refHamming(vecs[5]!, vecs[j]!));
    simdJ.many!(5 * stride, listAt, count, stride, outAt);
    for (let j = 0; j < count; j++) expect(f32[(outAt >> 2) + j]).toBe(refJaccard(vecs[5]!, vecs[j]!));
  });

  it('the fallback follows the memory when growth replaces the buffer', () => {
    const grown = new wasmApi!.Memory({ initial: 1, maximum: 4, shared: true });
    const h = { vectors: new Float32Array(grown.buffer) };
    const k = binaryKernels(METRIC_HAMMING, null, h);
    new Uint8Array(grown.buffer).fill(0xff, 0, 16);
    expect(k.kernel(0, 16, 16)).toBe(128);
    grown.grow(1);
    h.vectors = new Float32Array(grown.buffer);
    new Uint8Array(grown.buffer).fill(0xff, WASM_PAGE_BYTES, WASM_PAGE_BYTES + 16);
    expect(k.kernel(16, WASM_PAGE_BYTES, 16)).toBe(128);
  });
});
