/**
 * Distance kernels over vectors stored in one flat float32 memory, addressed by byte offset.
 *
 * The fast path is a hand-written WebAssembly SIMD module (bytes below, instantiated synchronously
 * over a shared `WebAssembly.Memory`); it needs no build step and no native addon. The pure-TS
 * fallback computes bit-identical results: it performs the same float32 operations in the same
 * order (two 4-lane accumulators, then `(l0 + l1) + (l2 + l3)`), rounding each step with
 * `Math.fround`. Both require `byteLength` to be a positive multiple of 32 (8 floats): vectors are
 * stored zero-padded to that stride, and zeros change neither sum.
 *
 * The module's text form is `kernels.wat` beside this file (the `dot` export differs from `l2` only
 * in its loop body, `acc += a * b`); `test/wat-sources.test.ts` assembles it with wabt and checks
 * that it gives exactly the bytes built below.
 */
import { ResourceExhaustedError } from '@vego/io';

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
const I32_LT_U = 0x49;
const F32_ADD = 0x92;
const LOOP = 0x03;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00, 0x02]; // + offset byte; align 2^2
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_SUB = [SIMD, 0xe5, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const F32X4_EXTRACT_LANE = [SIMD, 0x1f];
// Locals: 0 a, 1 b, 2 n, 3 end, 4 acc0, 5 acc1, 6 d.

function functionBody(half: (offset: number, acc: number) => number[]): number[] {
  const code = [
    0x02, 0x01, 0x7f, 0x03, 0x7b, // locals: 1 × i32, 3 × v128
    LOCAL_GET, 0, LOCAL_GET, 2, I32_ADD, LOCAL_SET, 3,
    LOOP, VOID,
    ...half(0x00, 4),
    ...half(0x10, 5),
    LOCAL_GET, 0, I32_CONST, 0x20, I32_ADD, LOCAL_SET, 0,
    LOCAL_GET, 1, I32_CONST, 0x20, I32_ADD, LOCAL_SET, 1,
    LOCAL_GET, 0, LOCAL_GET, 3, I32_LT_U, BR_IF, 0,
    END,
    LOCAL_GET, 4, LOCAL_GET, 5, ...F32X4_ADD, LOCAL_SET, 4,
    LOCAL_GET, 4, ...F32X4_EXTRACT_LANE, 0, LOCAL_GET, 4, ...F32X4_EXTRACT_LANE, 1, F32_ADD,
    LOCAL_GET, 4, ...F32X4_EXTRACT_LANE, 2, LOCAL_GET, 4, ...F32X4_EXTRACT_LANE, 3, F32_ADD,
    F32_ADD,
    END,
  ];
  return [...leb128(code.length), ...code];
}

const l2Half = (offset: number, acc: number): number[] => [
  LOCAL_GET, 0, ...V128_LOAD, offset, LOCAL_GET, 1, ...V128_LOAD, offset, ...F32X4_SUB,
  LOCAL_TEE, 6, LOCAL_GET, 6, ...F32X4_MUL, LOCAL_GET, acc, ...F32X4_ADD, LOCAL_SET, acc,
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

/** The distance module's bytes (text form: `kernels.wat` beside this file). */
export function distanceModuleBytes(): Uint8Array {
  return kernelModuleBytes(F32, [0x02, ...functionBody(l2Half), ...functionBody(dotHalf)]);
}

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

/** The SIMD `l2` and `dot` kernels over `memory`. */
export function simdKernels(module: WasmModule, memory: WasmMemory): { l2: Kernel; dot: Kernel } {
  const fns = new wasmApi!.Instance(module, { env: { memory } }).exports;
  return { l2: fns['l2'] as Kernel, dot: fns['dot'] as Kernel };
}

/**
 * Squared L2 in float32, bit-identical to the SIMD kernel. Offsets and length in floats; `length`
 * a positive multiple of 8.
 */
export function l2Float32(v: Float32Array, a: number, b: number, length: number): number {
  const f = Math.fround;
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  for (let i = 0; i < length; i += 8) {
    const x = a + i;
    const y = b + i;
    let d = f(v[x]! - v[y]!); a0 = f(f(d * d) + a0);
    d = f(v[x + 1]! - v[y + 1]!); a1 = f(f(d * d) + a1);
    d = f(v[x + 2]! - v[y + 2]!); a2 = f(f(d * d) + a2);
    d = f(v[x + 3]! - v[y + 3]!); a3 = f(f(d * d) + a3);
    d = f(v[x + 4]! - v[y + 4]!); b0 = f(f(d * d) + b0);
    d = f(v[x + 5]! - v[y + 5]!); b1 = f(f(d * d) + b1);
    d = f(v[x + 6]! - v[y + 6]!); b2 = f(f(d * d) + b2);
    d = f(v[x + 7]! - v[y + 7]!); b3 = f(f(d * d) + b3);
  }
  return f(f(f(a0 + b0) + f(a1 + b1)) + f(f(a2 + b2) + f(a3 + b3)));
}

/** Dot product in float32, bit-identical to the SIMD kernel (see {@link l2Float32}). */
export function dotFloat32(v: Float32Array, a: number, b: number, length: number): number {
  const f = Math.fround;
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  for (let i = 0; i < length; i += 8) {
    const x = a + i;
    const y = b + i;
    a0 = f(f(v[x]! * v[y]!) + a0);
    a1 = f(f(v[x + 1]! * v[y + 1]!) + a1);
    a2 = f(f(v[x + 2]! * v[y + 2]!) + a2);
    a3 = f(f(v[x + 3]! * v[y + 3]!) + a3);
    b0 = f(f(v[x + 4]! * v[y + 4]!) + b0);
    b1 = f(f(v[x + 5]! * v[y + 5]!) + b1);
    b2 = f(f(v[x + 6]! * v[y + 6]!) + b2);
    b3 = f(f(v[x + 7]! * v[y + 7]!) + b3);
  }
  return f(f(f(a0 + b0) + f(a1 + b1)) + f(f(a2 + b2) + f(a3 + b3)));
}

/** Fallback kernels reading `holder.vectors` (re-read per call, since growth replaces the array). */
export function fallbackKernels(holder: { vectors: Float32Array }): { l2: Kernel; dot: Kernel } {
  return {
    l2: (a, b, n) => l2Float32(holder.vectors, a >> 2, b >> 2, n >> 2),
    dot: (a, b, n) => dotFloat32(holder.vectors, a >> 2, b >> 2, n >> 2),
  };
}
