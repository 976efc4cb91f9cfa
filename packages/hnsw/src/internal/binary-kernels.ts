/**
 * Distance kernels over bit-packed binary vectors (Hamming and Jaccard), stored in the same vector
 * memory as float vectors and addressed the same way: by byte offset, with a padded byte length.
 *
 * The fast path is a WebAssembly SIMD module of its own (bytes below; text form
 * `binary-kernels.wat` beside this file, checked against these bytes with wabt by
 * `test/binary-kernels.test.ts`) that counts bits 16 bytes at a time with `i8x16.popcnt` into byte
 * counters, widened to 32-bit lanes every 31 steps (widening each step cost more than the count). It is
 * instantiated over the graph's shared memory beside (not inside) the float module of `kernels.ts`.
 * The pure-TS fallback counts the same bits 32 at a time; bit counts are exact integers, so both
 * give identical results (see the .wat for the f32 rounding of Jaccard).
 */
import { type Kernel, type ManyKernel, type WasmMemory, type WasmModule, compileKernelModule, leb128, manyBody, wasmApi } from './kernels';

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

// Opcodes (SIMD ones follow the 0xfd prefix).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_LT_U = 0x49;
const I32_EQZ = 0x45;
const F32_DIV = 0x95;
const F32_CONVERT_I32_U = 0xb3;
const F32_CONST_0 = [0x43, 0x00, 0x00, 0x00, 0x00];
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const F32 = 0x7d;
const I32 = 0x7f;
const V128 = 0x7b;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00, 0x02, 0x00]; // align 2^2, offset 0
const V128_AND = [SIMD, 0x4e];
const V128_OR = [SIMD, 0x50];
const V128_XOR = [SIMD, 0x51];
const I8X16_POPCNT = [SIMD, 0x62];
const I16X8_EXTADD_PAIRWISE_I8X16_U = [SIMD, 0x7d];
const I32X4_EXTADD_PAIRWISE_I16X8_U = [SIMD, 0x7f];
const I32X4_ADD = [SIMD, 0xae, 0x01];
const I32X4_EXTRACT_LANE = [SIMD, 0x1b];

const I8X16_ADD = [SIMD, 0x6e];
const V128_CONST_0 = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const SELECT = 0x1b;
/** `i32.const 496`: 31 steps of 16 bytes, the most the byte counters hold (31 · 8 = 248 < 256). */
const CONST_496 = [I32_CONST, 0xf0, 0x03];

/** Popcount of a v128 on the stack added to the byte counters in local `bytes`. */
const countInto = (bytes: number): number[] => [...I8X16_POPCNT, LOCAL_GET, bytes, ...I8X16_ADD, LOCAL_SET, bytes];
/** The byte counters of local `bytes` widened pairwise to 4 lanes and added to local `acc`. */
const widenInto = (bytes: number, acc: number): number[] => [
  LOCAL_GET, bytes, ...I16X8_EXTADD_PAIRWISE_I8X16_U, ...I32X4_EXTADD_PAIRWISE_I16X8_U,
  LOCAL_GET, acc, ...I32X4_ADD, LOCAL_SET, acc,
];
/** `a += 16; b += 16; next step while a < stop` (locals 0 a, 1 b, 4 stop). */
const advance = [
  LOCAL_GET, 0, I32_CONST, 16, I32_ADD, LOCAL_SET, 0,
  LOCAL_GET, 1, I32_CONST, 16, I32_ADD, LOCAL_SET, 1,
  LOCAL_GET, 0, LOCAL_GET, 4, I32_LT_U, BR_IF, 0,
];
/** `stop = end − a < 496 ? end : a + 496` (locals 0 a, 3 end, 4 stop): the end of this chunk. */
const setStop = [
  LOCAL_GET, 3, LOCAL_GET, 0, ...CONST_496, I32_ADD,
  LOCAL_GET, 3, LOCAL_GET, 0, I32_SUB, ...CONST_496, I32_LT_U, SELECT, LOCAL_SET, 4,
];
/** The sum of local `acc`'s four i32 lanes as `(l0 + l1) + (l2 + l3)`. */
const laneSum = (acc: number): number[] => [
  LOCAL_GET, acc, ...I32X4_EXTRACT_LANE, 0, LOCAL_GET, acc, ...I32X4_EXTRACT_LANE, 1, I32_ADD,
  LOCAL_GET, acc, ...I32X4_EXTRACT_LANE, 2, LOCAL_GET, acc, ...I32X4_EXTRACT_LANE, 3, I32_ADD,
  I32_ADD,
];
const setEnd = [LOCAL_GET, 0, LOCAL_GET, 2, I32_ADD, LOCAL_SET, 3];

function body(code: number[]): number[] {
  return [...leb128(code.length), ...code];
}

/** `hamming(a, b, n)`. Locals: 0 a, 1 b, 2 n, 3 end, 4 stop, 5 acc, 6 bytes. */
function hammingBody(): number[] {
  return body([
    0x02, 0x02, I32, 0x02, V128, // locals: 2 × i32, 2 × v128
    ...setEnd,
    LOOP, VOID,
    ...setStop,
    ...V128_CONST_0, LOCAL_SET, 6,
    LOOP, VOID,
    LOCAL_GET, 0, ...V128_LOAD, LOCAL_GET, 1, ...V128_LOAD, ...V128_XOR, ...countInto(6),
    ...advance,
    END,
    ...widenInto(6, 5),
    LOCAL_GET, 0, LOCAL_GET, 3, I32_LT_U, BR_IF, 0,
    END,
    ...laneSum(5), F32_CONVERT_I32_U,
    END,
  ]);
}

/**
 * `jaccard(a, b, n)`. Locals: 0 a, 1 b, 2 n, 3 end, 4 stop, 5 inter, 6 union, 7 x, 8 y,
 * 9 interBytes, 10 unionBytes, 11 i, 12 u.
 */
function jaccardBody(): number[] {
  return body([
    0x03, 0x02, I32, 0x06, V128, 0x02, I32, // locals: 2 × i32, 6 × v128, 2 × i32
    ...setEnd,
    LOOP, VOID,
    ...setStop,
    ...V128_CONST_0, LOCAL_SET, 9,
    ...V128_CONST_0, LOCAL_SET, 10,
    LOOP, VOID,
    LOCAL_GET, 0, ...V128_LOAD, LOCAL_SET, 7,
    LOCAL_GET, 1, ...V128_LOAD, LOCAL_SET, 8,
    LOCAL_GET, 7, LOCAL_GET, 8, ...V128_AND, ...countInto(9),
    LOCAL_GET, 7, LOCAL_GET, 8, ...V128_OR, ...countInto(10),
    ...advance,
    END,
    ...widenInto(9, 5),
    ...widenInto(10, 6),
    LOCAL_GET, 0, LOCAL_GET, 3, I32_LT_U, BR_IF, 0,
    END,
    ...laneSum(5), LOCAL_SET, 11,
    ...laneSum(6), LOCAL_SET, 12,
    LOCAL_GET, 12, I32_EQZ, IF, F32,
    ...F32_CONST_0,
    ELSE,
    LOCAL_GET, 12, LOCAL_GET, 11, I32_SUB, F32_CONVERT_I32_U, LOCAL_GET, 12, F32_CONVERT_I32_U, F32_DIV,
    END,
    END,
  ]);
}


/** An export entry: name, function kind, function index. */
function exportEntry(name: string, index: number): number[] {
  return [name.length, ...Array.from(name, (c) => c.charCodeAt(0)), 0x00, index];
}

/** The binary module's bytes (text form: `binary-kernels.wat`): `hamming`, `jaccard`, `hamming_many`, `jaccard_many`. */
export function binaryModuleBytes(): Uint8Array {
  const code = [0x04, ...hammingBody(), ...jaccardBody(), ...manyBody(0), ...manyBody(1)];
  const exports = [0x04, ...exportEntry('hamming', 0), ...exportEntry('jaccard', 1), ...exportEntry('hamming_many', 2), ...exportEntry('jaccard_many', 3)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x10, 0x02, 0x60, 0x03, I32, I32, I32, 0x01, F32, 0x60, 0x05, I32, I32, I32, I32, I32, 0x00, // types: (i32 ×3) -> f32, (i32 ×5) -> ()
    0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, // import "env" "memory"
    0x02, 0x03, 0x01, 0x80, 0x80, 0x04, // shared memory, min 1, max 65536 pages
    0x03, 0x05, 0x04, 0x00, 0x00, 0x01, 0x01, // four functions: types 0, 0, 1, 1
    0x07, ...leb128(exports.length), ...exports,
    0x0a, ...leb128(code.length), ...code,
  ]);
}

let compiled: WasmModule | null | undefined;

/** The compiled binary SIMD module, or null where WebAssembly SIMD or shared memory is unavailable. */
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
