/**
 * Distance kernels over bit-packed binary vectors (Hamming and Jaccard), stored in the same vector
 * memory as float vectors and addressed the same way: by byte offset, with a padded byte length.
 *
 * The fast path is a WebAssembly module of its own (bytes below; text form `binary-kernels.wat`
 * beside this file, checked against these bytes with wabt by `test/binary-kernels.test.ts`) that
 * counts bits 8 bytes at a time with `i64.popcnt`, as the wasm walk does inline (an `i8x16.popcnt`
 * loop was slower: per 1024-bit distance called from JS 19.9 vs 18.2 ns Hamming, 31.2 vs 27.1 ns
 * Jaccard; in the list forms 11.9 vs 9.6 and 21.1 vs 16.5 ns). It is instantiated over the graph's
 * shared memory beside (not inside) the float module of `kernels.ts`, and only where WebAssembly
 * SIMD is (the graph's memory and walk need it), so its availability follows the float module's.
 * The pure-TS fallback counts the same bits 32 at a time; bit counts are exact integers, so both
 * give identical results (see the .wat for the f32 rounding of Jaccard).
 */
import { type Kernel, type ManyKernel, type WasmMemory, type WasmModule, compileKernelModule, wasmApi } from './kernels';

/** Graph metric id of the Hamming distance (`METRIC_L2` = 0 and `METRIC_DOT` = 1 are in graph.ts). */
export const METRIC_HAMMING = 2;
/** Graph metric id of the Jaccard (Tanimoto) distance over bits. */
export const METRIC_JACCARD = 3;

/** Binary vectors are stored padded to a multiple of this many bytes (one v128). */
export const BYTES_PER_BINARY_STEP = 16;

/** True for the graph metric ids of binary vectors. */
export function isBinaryMetricId(metric: number): boolean {
  return metric === METRIC_HAMMING || metric === METRIC_JACCARD;
}

/** Bytes of one stored binary vector of `bits` bits: `bits / 8` rounded up to a multiple of 16. */
export function binaryStrideBytes(bits: number): number {
  return Math.ceil(bits / (8 * BYTES_PER_BINARY_STEP)) * BYTES_PER_BINARY_STEP;
}

/** The module's bytes in hex, as `binary-kernels.wat` assembles (wabt 1.0.39, no debug names). */
const BINARY_MODULE_HEX =
  '0061736d0100000001100260037f7f7f017d60057f7f7f7f7f0002120103656e76066d656d6f7279020301808004030504000001010733040768616d6d696e670000076a61636361726400010c68616d6d696e675f6d616e7900020c6a6163636172645f6d616e7900030ad202044702017f017e200020026a21030340200420002902002001290200857b20002902082001290208857b7c7c2104200041106a2100200141106a210120002003490d000b2004a7b30b850102017f047e200020026a210303402000290200210420012902002105200620042005837b7c2106200720042005847b7c21072000290208210420012902082105200620042005837b7c2106200720042005847b7c2107200041106a2100200141106a210120002003490d000b200750047d430000000005200720067da7b32007a7b3950b0b4001017f200120024102746a21050240200120054f0d00034020042000200128020020031000380200200141046a2101200441046a210420012005490d000b0b0b4001017f200120024102746a21050240200120054f0d00034020042000200128020020031001380200200141046a2101200441046a210420012005490d000b0b0b';

/** The binary module's bytes (text form: `binary-kernels.wat`): `hamming`, `jaccard`, `hamming_many`, `jaccard_many`. */
export function binaryModuleBytes(): Uint8Array {
  const bytes = new Uint8Array(BINARY_MODULE_HEX.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(BINARY_MODULE_HEX.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

let compiled: WasmModule | null | undefined;

/** The compiled binary module, or null where WebAssembly or shared memory is unavailable (the graph uses it only beside the SIMD float module). */
export function binarySimdModule(): WasmModule | null {
  if (compiled === undefined) compiled = compileKernelModule(binaryModuleBytes());
  return compiled;
}

/** Bits set in a 32-bit word (SWAR popcount). */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Hamming distance of the `words` 32-bit words at word offsets `a` and `b` of `v`. */
export function hammingWords(v: Int32Array, a: number, b: number, words: number): number {
  let n = 0;
  for (let i = 0; i < words; i++) n += popcount32(v[a + i]! ^ v[b + i]!);
  return n;
}

/** Jaccard distance of the `words` 32-bit words at `a` and `b` of `v`, rounded to f32 as the SIMD kernel does. */
export function jaccardWords(v: Int32Array, a: number, b: number, words: number): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < words; i++) {
    const x = v[a + i]!;
    const y = v[b + i]!;
    inter += popcount32(x & y);
    union += popcount32(x | y);
  }
  return union === 0 ? 0 : Math.fround((union - inter) / union);
}

/** The kernel and list kernel of a binary metric id over a graph's vector memory. */
export interface BinaryKernels {
  kernel: Kernel;
  many: ManyKernel | null;
}

/**
 * The kernels of `metric` ({@link METRIC_HAMMING} or {@link METRIC_JACCARD}): the SIMD ones over
 * `memory` when it and the module exist, else the fallback reading `holder.vectors` (its 32-bit
 * view is rebuilt only when growth replaced the buffer, so a call allocates nothing).
 */
export function binaryKernels(metric: number, memory: WasmMemory | null, holder: { vectors: Float32Array }): BinaryKernels {
  const module = memory === null ? null : binarySimdModule();
  const hamming = metric === METRIC_HAMMING;
  if (module !== null && memory !== null) {
    const fns = new wasmApi!.Instance(module, { env: { memory } }).exports;
    return {
      kernel: fns[hamming ? 'hamming' : 'jaccard'] as Kernel,
      many: fns[hamming ? 'hamming_many' : 'jaccard_many'] as ManyKernel,
    };
  }
  let buffer: ArrayBufferLike = holder.vectors.buffer;
  let words = new Int32Array(buffer);
  const view = (): Int32Array => {
    if (holder.vectors.buffer !== buffer) {
      buffer = holder.vectors.buffer;
      words = new Int32Array(buffer);
    }
    return words;
  };
  return {
    kernel: hamming ? (a, b, n) => hammingWords(view(), a >> 2, b >> 2, n >> 2) : (a, b, n) => jaccardWords(view(), a >> 2, b >> 2, n >> 2),
    many: null,
  };
}
