/**
 * Distance kernels over vectors stored in one flat float32 memory, addressed by byte offset.
 *
 * The fast path is a hand-written WebAssembly SIMD module (bytes below, instantiated synchronously
 * over a shared `WebAssembly.Memory`); it needs no build step and no native addon. The pure-TS
 * fallback computes bit-identical results: it performs the same float32 operations in the same
 * order (four 4-lane accumulators, see {@link l2Float32}), rounding each step with `Math.fround`. Both require `byteLength` to be a positive multiple of 32 (8 floats): vectors are
 * stored zero-padded to that stride, and zeros change neither sum.
 *
 * The module's text form is `kernels.wat` beside this file (the `dot` export differs from `l2` only
 * in its loop body, `acc += a * b`; `l2_many` / `dot_many` call them for a list of vectors);
 * `test/wat-sources.test.ts` assembles it with wabt and checks that it gives exactly the bytes
 * built below.
 */
// The error classes alone: a worker thread loads this module without all of @vego/io.
import { ResourceExhaustedError } from '@vego/io/errors';

/** Vectors are stored padded to a multiple of this many floats. */
export const FLOATS_PER_STEP = 8;
/** WebAssembly page size in bytes. */
export const WASM_PAGE_BYTES = 65536;
/** Largest memory the module may grow to, in pages (4 GiB). */
export const WASM_MAX_PAGES = 65536;
/** Most bytes of vectors (query slot included) one index holds: a WebAssembly memory's 4 GiB, also the stand-in's limit. */
export const MAX_VECTOR_MEMORY_BYTES = WASM_MAX_PAGES * WASM_PAGE_BYTES;

/**
 * A typed error for memory the runtime refused (a RangeError from an ArrayBuffer or a
 * WebAssembly.Memory allocation or grow), saying how much was asked for what; other errors as they are.
 */
export function outOfMemory(what: string, byteLength: number, cause: unknown): unknown {
  if (!(cause instanceof RangeError)) return cause;
  return new ResourceExhaustedError(`cannot allocate ${byteLength} bytes for ${what}: ${cause.message}`, { cause });
}

/** A distance kernel: byte offsets of two vectors and their padded byte length. */
export type Kernel = (aByteOffset: number, bByteOffset: number, byteLength: number) => number;

/** Unsigned LEB128, as WebAssembly encodes sizes and indices. */
export function leb128(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

// Opcodes used below (SIMD ones follow the 0xfd prefix).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_LT_U = 0x49;
const I32_GE_U = 0x4f;
const F32_ADD = 0x92;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00, 0x02]; // + offset byte; align 2^2
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_SUB = [SIMD, 0xe5, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const F32X4_EXTRACT_LANE = [SIMD, 0x1f];
// Locals: 0 a, 1 b, 2 n, 3 end, 4 end64 (= end − 32), 5 acc0, 6 acc1, 7 d, 8 acc2, 9 acc3.
const ACC0 = 5;
const ACC1 = 6;
const D = 7;
const ACC2 = 8;
const ACC3 = 9;
/** `i32.const 64` (64 needs two bytes of signed LEB128). */
const CONST_64 = [I32_CONST, 0xc0, 0x00];

/**
 * One kernel: 16 floats per loop step into four accumulators (four independent addition chains;
 * with two, the loop waited on the float-add latency), then one 8-float step into the first two
 * when the length is an odd multiple of 8 floats, then `(acc0 + acc1) + (acc2 + acc3)` and the
 * lanes as `(l0 + l1) + (l2 + l3)`. For 8 floats this is exactly the earlier two-accumulator sum.
 */
function functionBody(half: (offset: number, acc: number) => number[]): number[] {
  const code = [
    0x02, 0x02, 0x7f, 0x05, 0x7b, // locals: 2 × i32, 5 × v128
    LOCAL_GET, 0, LOCAL_GET, 2, I32_ADD, LOCAL_SET, 3,
    LOCAL_GET, 3, I32_CONST, 0x20, I32_SUB, LOCAL_SET, 4,
    BLOCK, VOID,
    LOCAL_GET, 0, LOCAL_GET, 4, I32_GE_U, BR_IF, 0,
    LOOP, VOID,
    ...half(0x00, ACC0),
    ...half(0x10, ACC1),
    ...half(0x20, ACC2),
    ...half(0x30, ACC3),
    LOCAL_GET, 0, ...CONST_64, I32_ADD, LOCAL_SET, 0,
    LOCAL_GET, 1, ...CONST_64, I32_ADD, LOCAL_SET, 1,
    LOCAL_GET, 0, LOCAL_GET, 4, I32_LT_U, BR_IF, 0,
    END,
    END,
    LOCAL_GET, 0, LOCAL_GET, 3, I32_LT_U, IF, VOID,
    ...half(0x00, ACC0),
    ...half(0x10, ACC1),
    END,
    LOCAL_GET, ACC0, LOCAL_GET, ACC1, ...F32X4_ADD, LOCAL_GET, ACC2, LOCAL_GET, ACC3, ...F32X4_ADD, ...F32X4_ADD, LOCAL_SET, ACC0,
    LOCAL_GET, ACC0, ...F32X4_EXTRACT_LANE, 0, LOCAL_GET, ACC0, ...F32X4_EXTRACT_LANE, 1, F32_ADD,
    LOCAL_GET, ACC0, ...F32X4_EXTRACT_LANE, 2, LOCAL_GET, ACC0, ...F32X4_EXTRACT_LANE, 3, F32_ADD,
    F32_ADD,
    END,
  ];
  return [...leb128(code.length), ...code];
}

const l2Half = (offset: number, acc: number): number[] => [
  LOCAL_GET, 0, ...V128_LOAD, offset, LOCAL_GET, 1, ...V128_LOAD, offset, ...F32X4_SUB,
  LOCAL_TEE, D, LOCAL_GET, D, ...F32X4_MUL, LOCAL_GET, acc, ...F32X4_ADD, LOCAL_SET, acc,
];
const dotHalf = (offset: number, acc: number): number[] => [
  LOCAL_GET, 0, ...V128_LOAD, offset, LOCAL_GET, 1, ...V128_LOAD, offset, ...F32X4_MUL,
  LOCAL_GET, acc, ...F32X4_ADD, LOCAL_SET, acc,
];

/**
 * A module importing `env.memory` (shared, up to 65,536 pages) and exporting `l2` and `dot`, both
 * `(i32, i32, i32) -> resultType`; `code` is the code section's content (count + bodies). The SQ8
 * kernels (`sq8.ts`) use the same frame with an i32 result.
 */
export function kernelModuleBytes(resultType: number, code: number[]): Uint8Array {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x08, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, resultType, // type: (i32 i32 i32) -> result
    0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, // import "env" "memory"
    0x02, 0x03, 0x01, 0x80, 0x80, 0x04, // shared memory, min 1, max 65536 pages
    0x03, 0x03, 0x02, 0x00, 0x00, // two functions of type 0
    0x07, 0x0c, 0x02, 0x02, 0x6c, 0x32, 0x00, 0x00, 0x03, 0x64, 0x6f, 0x74, 0x00, 0x01, // exports l2, dot
    0x0a, ...leb128(code.length), ...code,
  ]);
}

/** Value type byte of f32 results. */
const F32 = 0x7d;
const I32_SHL = 0x74;
const CALL = 0x10;
const I32_LOAD = [0x28, 0x02, 0x00]; // align 2^2, offset 0
const F32_STORE = [0x38, 0x02, 0x00];

/**
 * `l2_many` / `dot_many` (`callee` 0 / 1): `(q, list, count, n, out)`; for each of the `count` i32
 * byte offsets at `list`, the f32 at `out + 4i` gets `callee(q, list[i], n)`.
 * Locals: 0 q, 1 list, 2 count, 3 n, 4 out, 5 end. The binary kernels' `hamming_many` /
 * `jaccard_many` are the same loop over their own two functions.
 */
export function manyBody(callee: number): number[] {
  const code = [
    0x01, 0x01, 0x7f, // locals: 1 × i32
    LOCAL_GET, 1, LOCAL_GET, 2, I32_CONST, 2, I32_SHL, I32_ADD, LOCAL_SET, 5,
    BLOCK, VOID,
    LOCAL_GET, 1, LOCAL_GET, 5, I32_GE_U, BR_IF, 0,
    LOOP, VOID,
    LOCAL_GET, 4, LOCAL_GET, 0, LOCAL_GET, 1, ...I32_LOAD, LOCAL_GET, 3, CALL, callee, ...F32_STORE,
    LOCAL_GET, 1, I32_CONST, 4, I32_ADD, LOCAL_SET, 1,
    LOCAL_GET, 4, I32_CONST, 4, I32_ADD, LOCAL_SET, 4,
    LOCAL_GET, 1, LOCAL_GET, 5, I32_LT_U, BR_IF, 0,
    END,
    END,
    END,
  ];
  return [...leb128(code.length), ...code];
}

/** The distance module's bytes (text form: `kernels.wat` beside this file): `l2`, `dot`, `l2_many`, `dot_many`. */
export function distanceModuleBytes(): Uint8Array {
  const code = [0x04, ...functionBody(l2Half), ...functionBody(dotHalf), ...manyBody(0), ...manyBody(1)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x10, 0x02, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, F32, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, // types: (i32 ×3) -> f32, (i32 ×5) -> ()
    0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, // import "env" "memory"
    0x02, 0x03, 0x01, 0x80, 0x80, 0x04, // shared memory, min 1, max 65536 pages
    0x03, 0x05, 0x04, 0x00, 0x00, 0x01, 0x01, // four functions: types 0, 0, 1, 1
    0x07, 0x21, 0x04, // exports:
    0x02, 0x6c, 0x32, 0x00, 0x00, // l2
    0x03, 0x64, 0x6f, 0x74, 0x00, 0x01, // dot
    0x07, 0x6c, 0x32, 0x5f, 0x6d, 0x61, 0x6e, 0x79, 0x00, 0x02, // l2_many
    0x08, 0x64, 0x6f, 0x74, 0x5f, 0x6d, 0x61, 0x6e, 0x79, 0x00, 0x03, // dot_many
    0x0a, ...leb128(code.length), ...code,
  ]);
}

/** `many(q, list, count, n, out)`: the kernel from byte offset `q` to each of `count` vectors whose byte offsets are the i32s at `list`, as f32s at `out`. */
export type ManyKernel = (q: number, list: number, count: number, byteLength: number, out: number) => void;

/** The parts of the WebAssembly API used here (typed locally: the ES2022 lib does not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}
/** A compiled module (opaque). */
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/** The global WebAssembly object, when there is one. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * Compiles a kernel module, or returns null where WebAssembly, SIMD or shared memory is missing.
 * Shared memory is probed directly: a browser page that is not cross-origin isolated has no
 * SharedArrayBuffer global, yet Chromium creates shared memories.
 */
export function compileKernelModule(bytes: Uint8Array): WasmModule | null {
  try {
    if (wasmApi === undefined || !wasmApi.validate(bytes)) return null;
    new wasmApi.Memory({ initial: 1, maximum: 1, shared: true });
    return new wasmApi.Module(bytes);
  } catch {
    return null;
  }
}

let compiled: WasmModule | null | undefined;

/** The compiled SIMD module, or null where WebAssembly SIMD or shared memory is unavailable. */
export function simdModule(): WasmModule | null {
  if (compiled === undefined) compiled = compileKernelModule(distanceModuleBytes());
  return compiled;
}

/** The SIMD `l2` and `dot` kernels over `memory`, and their many-vector forms. */
export function simdKernels(module: WasmModule, memory: WasmMemory): { l2: Kernel; dot: Kernel; l2Many: ManyKernel; dotMany: ManyKernel } {
  const fns = new wasmApi!.Instance(module, { env: { memory } }).exports;
  return { l2: fns['l2'] as Kernel, dot: fns['dot'] as Kernel, l2Many: fns['l2_many'] as ManyKernel, dotMany: fns['dot_many'] as ManyKernel };
}

/**
 * Squared L2 in float32, bit-identical to the SIMD kernel: the same operations in the same order
 * (16 floats per step into four 4-lane accumulators `p`, `q`, `r`, `s`, a last 8-float step into
 * `p` and `q`, then `((p + q) + (r + s))` lane-wise and `(l0 + l1) + (l2 + l3)`). Offsets and
 * length in floats; `length` a positive multiple of 8.
 */
export function l2Float32(v: Float32Array, a: number, b: number, length: number): number {
  return sumFloat32(v, a, b, length, true);
}

/** Dot product in float32, bit-identical to the SIMD kernel (see {@link l2Float32}). */
export function dotFloat32(v: Float32Array, a: number, b: number, length: number): number {
  return sumFloat32(v, a, b, length, false);
}

/** Term `i` of the sum: `(v[x] − v[y])²` or `v[x] · v[y]`, rounded to float32. */
function term(v: Float32Array, x: number, y: number, l2: boolean): number {
  const f = Math.fround;
  if (!l2) return f(v[x]! * v[y]!);
  const d = f(v[x]! - v[y]!);
  return f(d * d);
}

function sumFloat32(v: Float32Array, a: number, b: number, length: number, l2: boolean): number {
  const f = Math.fround;
  // Accumulators p, q, r, s (the SIMD kernel's acc0 … acc3), one variable per lane: no allocation.
  let p0 = 0, p1 = 0, p2 = 0, p3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
  let r0 = 0, r1 = 0, r2 = 0, r3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 16 <= length; i += 16) {
    const x = a + i;
    const y = b + i;
    p0 = f(term(v, x, y, l2) + p0);
    p1 = f(term(v, x + 1, y + 1, l2) + p1);
    p2 = f(term(v, x + 2, y + 2, l2) + p2);
    p3 = f(term(v, x + 3, y + 3, l2) + p3);
    q0 = f(term(v, x + 4, y + 4, l2) + q0);
    q1 = f(term(v, x + 5, y + 5, l2) + q1);
    q2 = f(term(v, x + 6, y + 6, l2) + q2);
    q3 = f(term(v, x + 7, y + 7, l2) + q3);
    r0 = f(term(v, x + 8, y + 8, l2) + r0);
    r1 = f(term(v, x + 9, y + 9, l2) + r1);
    r2 = f(term(v, x + 10, y + 10, l2) + r2);
    r3 = f(term(v, x + 11, y + 11, l2) + r3);
    s0 = f(term(v, x + 12, y + 12, l2) + s0);
    s1 = f(term(v, x + 13, y + 13, l2) + s1);
    s2 = f(term(v, x + 14, y + 14, l2) + s2);
    s3 = f(term(v, x + 15, y + 15, l2) + s3);
  }
  if (i < length) {
    const x = a + i;
    const y = b + i;
    p0 = f(term(v, x, y, l2) + p0);
    p1 = f(term(v, x + 1, y + 1, l2) + p1);
    p2 = f(term(v, x + 2, y + 2, l2) + p2);
    p3 = f(term(v, x + 3, y + 3, l2) + p3);
    q0 = f(term(v, x + 4, y + 4, l2) + q0);
    q1 = f(term(v, x + 5, y + 5, l2) + q1);
    q2 = f(term(v, x + 6, y + 6, l2) + q2);
    q3 = f(term(v, x + 7, y + 7, l2) + q3);
  }
  const l0 = f(f(p0 + q0) + f(r0 + s0));
  const l1 = f(f(p1 + q1) + f(r1 + s1));
  const l2s = f(f(p2 + q2) + f(r2 + s2));
  const l3 = f(f(p3 + q3) + f(r3 + s3));
  return f(f(l0 + l1) + f(l2s + l3));
}

/** Fallback kernels reading `holder.vectors` (re-read per call, since growth replaces the array). */
export function fallbackKernels(holder: { vectors: Float32Array }): { l2: Kernel; dot: Kernel } {
  return {
    l2: (a, b, n) => l2Float32(holder.vectors, a >> 2, b >> 2, n >> 2),
    dot: (a, b, n) => dotFloat32(holder.vectors, a >> 2, b >> 2, n >> 2),
  };
}
