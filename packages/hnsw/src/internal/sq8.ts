/**
 * SQ8 scalar quantisation (`quantization: 'sq8'`): one unsigned byte per component, used for the
 * graph walk of a search, whose candidates are then re-ranked with the float vectors.
 *
 * Encoding: `code_d = clamp(round((x_d − min_d) / scale), 0, 255)` with a per-dimension `min_d`
 * and one `scale = max_d(max_d − min_d) / 255`, trained on the vectors in the index. One shared
 * scale keeps the code-space distance a plain integer sum that the SIMD kernel computes on bytes
 * (a per-dimension scale would need a weighted float sum, no cheaper than the float kernel); the
 * absolute rounding error is then the same in every dimension, which is what an L2 distance
 * weighs. Decoding is `x_d ≈ min_d + scale · code_d`, so
 * ```
 * l2(a, b)  ≈ scale² · Σ (ca_d − cb_d)²
 * dot(a, b) ≈ Σ min_d² + scale · (Pa + Pb) + scale² · Σ ca_d · cb_d,   P = Σ min_d · c_d (kept per node)
 * ```
 * Worked example (dimension 2, min = [0, 10], scale = 0.5): x = [1.2, 10.4] → codes [2, 1]
 * (1.2 / 0.5 = 2.4 → 2; 0.4 / 0.5 = 0.8 → 1), decoded [1.0, 10.5].
 *
 * Codes live in their own shared `WebAssembly.Memory`, `codeStride` bytes per node (the dimension
 * padded to a multiple of 16, zeros), node `i` at `(i + 1) · codeStride`; slot 0 holds the query.
 * The kernels (module bytes below, text form in `sq8.wat`, checked equal by `test/wat-sources.test.ts`;
 * same instruction style as `kernels.ts`) take 16 codes per step:
 * widen to 16-bit lanes (`i16x8.extend_{low,high}_i8x16_u`), subtract (l2) and multiply-add pairs
 * into 32-bit lanes (`i32x4.dot_i16x8_s`). Sums stay below 2³¹ for any dimension up to 16,000.
 *
 * Training: at the first search after vectors were added, over every vector then in the index;
 * again whenever the index has doubled since (amortised: each vector is re-encoded O(1) times).
 * Vectors added in between are encoded with the current range (clamped).
 */
import { MAX_VECTOR_MEMORY_BYTES, WASM_MAX_PAGES, WASM_PAGE_BYTES, type WasmMemory, type WasmModule, compileKernelModule, kernelModuleBytes, leb128, outOfMemory, wasmApi } from './kernels';

/** Code bytes per step of the SIMD kernel; rows are padded to a multiple of it. */
export const CODES_PER_STEP = 16;

type CodeKernel = (aByteOffset: number, bByteOffset: number, byteLength: number) => number;

// Opcodes (SIMD ones after the 0xfd prefix, LEB128).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_LT_U = 0x49;
const LOOP = 0x03;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const V128_LOAD = [0xfd, 0x00, 0x00, 0x00]; // align 1, offset 0
const EXTEND_LOW_U = [0xfd, 0x89, 0x01]; // i16x8.extend_low_i8x16_u
const EXTEND_HIGH_U = [0xfd, 0x8a, 0x01]; // i16x8.extend_high_i8x16_u
const I16X8_SUB = [0xfd, 0x91, 0x01];
const I32X4_ADD = [0xfd, 0xae, 0x01];
const I32X4_DOT = [0xfd, 0xba, 0x01]; // i32x4.dot_i16x8_s
const I32X4_EXTRACT_LANE = [0xfd, 0x1b];
// Locals: 0 a, 1 b, 2 n, 3 end, 4 acc, 5 va, 6 vb, 7 t.

/** `acc += f(widen(va), widen(vb))` for one half of the 16 bytes. */
function l2Half(widen: number[]): number[] {
  return [
    LOCAL_GET, 5, ...widen, LOCAL_GET, 6, ...widen, ...I16X8_SUB, LOCAL_TEE, 7, LOCAL_GET, 7, ...I32X4_DOT,
    LOCAL_GET, 4, ...I32X4_ADD, LOCAL_SET, 4,
  ];
}

function dotHalf(widen: number[]): number[] {
  return [LOCAL_GET, 5, ...widen, LOCAL_GET, 6, ...widen, ...I32X4_DOT, LOCAL_GET, 4, ...I32X4_ADD, LOCAL_SET, 4];
}

function functionBody(half: (widen: number[]) => number[]): number[] {
  const code = [
    0x02, 0x01, 0x7f, 0x04, 0x7b, // locals: 1 × i32, 4 × v128
    LOCAL_GET, 0, LOCAL_GET, 2, I32_ADD, LOCAL_SET, 3,
    LOOP, VOID,
    LOCAL_GET, 0, ...V128_LOAD, LOCAL_SET, 5,
    LOCAL_GET, 1, ...V128_LOAD, LOCAL_SET, 6,
    ...half(EXTEND_LOW_U),
    ...half(EXTEND_HIGH_U),
    LOCAL_GET, 0, I32_CONST, CODES_PER_STEP, I32_ADD, LOCAL_SET, 0,
    LOCAL_GET, 1, I32_CONST, CODES_PER_STEP, I32_ADD, LOCAL_SET, 1,
    LOCAL_GET, 0, LOCAL_GET, 3, I32_LT_U, BR_IF, 0,
    END,
    LOCAL_GET, 4, ...I32X4_EXTRACT_LANE, 0, LOCAL_GET, 4, ...I32X4_EXTRACT_LANE, 1, I32_ADD,
    LOCAL_GET, 4, ...I32X4_EXTRACT_LANE, 2, LOCAL_GET, 4, ...I32X4_EXTRACT_LANE, 3, I32_ADD,
    I32_ADD,
    END,
  ];
  return [...leb128(code.length), ...code];
}

/** Value type byte of i32 results. */
const I32 = 0x7f;

/** The SQ8 module's bytes (text form: `sq8.wat` beside this file). */
export function sq8ModuleBytes(): Uint8Array {
  return kernelModuleBytes(I32, [0x02, ...functionBody(l2Half), ...functionBody(dotHalf)]);
}

let compiled: WasmModule | null | undefined;

/** The compiled byte-kernel module, or null where WebAssembly SIMD or shared memory is missing. */
export function sq8Module(): WasmModule | null {
  if (compiled === undefined) compiled = compileKernelModule(sq8ModuleBytes());
  return compiled;
}

/** Σ (a_i − b_i)² over `length` bytes at `a` and `b` of `codes` (the SIMD kernel's result). */
export function l2Codes(codes: Uint8Array, a: number, b: number, length: number): number {
  let s = 0;
  for (let i = 0; i < length; i++) {
    const d = codes[a + i]! - codes[b + i]!;
    s += d * d;
  }
  return s;
}

/** Σ a_i · b_i over `length` bytes at `a` and `b` of `codes` (the SIMD kernel's result). */
export function dotCodes(codes: Uint8Array, a: number, b: number, length: number): number {
  let s = 0;
  for (let i = 0; i < length; i++) s += codes[a + i]! * codes[b + i]!;
  return s;
}

/** The SQ8 codes of one index and the code-space distance to the query in slot 0. */
export class Sq8Codes {
  readonly dimension: number;
  /** True for `1 − dot` metrics (cosine, inner product), false for squared L2. */
  readonly dot: boolean;
  /** Bytes per stored code row (the dimension padded to a multiple of 16). */
  readonly codeStride: number;
  memory: WasmMemory | null;
  codes: Uint8Array;
  private kernel: CodeKernel;
  /** Per-dimension minimum of the training vectors. */
  readonly min: Float32Array;
  scale: number;
  private invScale: number;
  /** `Σ min_d · code_d` of each slot (slot 0: the query), for the dot metrics. */
  sums: Float64Array;
  private minSquares: number;
  /** Vectors in the index when the codes were last trained (0: never). */
  trainedCount: number;
  /** Ids `0 … encodedCount − 1` have codes. */
  encodedCount: number;
  /** Per-dimension maximum while training ({@link startTraining} … {@link finishTraining}), else null. */
  private trainingMax: Float32Array | null;

  constructor(dimension: number, dot: boolean) {
    this.dimension = dimension;
    this.dot = dot;
    this.codeStride = Math.ceil(dimension / CODES_PER_STEP) * CODES_PER_STEP;
    this.min = new Float32Array(dimension);
    this.scale = 1;
    this.invScale = 1;
    this.minSquares = 0;
    this.trainedCount = 0;
    this.encodedCount = 0;
    this.trainingMax = null;
    this.sums = new Float64Array(dot ? 16 : 1);
    const module = sq8Module();
    if (module !== null) {
      try {
        this.memory = new wasmApi!.Memory({ initial: 1, maximum: WASM_MAX_PAGES, shared: true });
      } catch (cause) {
        throw outOfMemory('the SQ8 code memory', WASM_PAGE_BYTES, cause);
      }
      this.codes = new Uint8Array(this.memory.buffer);
      const fns = new wasmApi!.Instance(module, { env: { memory: this.memory } }).exports;
      this.kernel = (dot ? fns['dot'] : fns['l2']) as CodeKernel;
    } else {
      this.memory = null;
      this.codes = new Uint8Array(17 * this.codeStride);
      const holder = this;
      this.kernel = dot ? (a, b, n) => dotCodes(holder.codes, a, b, n) : (a, b, n) => l2Codes(holder.codes, a, b, n);
    }
  }

  /** Bytes held: the code memory and the per-slot sums. */
  get byteLength(): number {
    return (this.memory === null ? this.codes.byteLength : this.memory.buffer.byteLength) + this.sums.byteLength;
  }

  /** Makes room for the codes of `numIds` ids (doubling). */
  reserve(numIds: number): void {
    const bytes = (numIds + 1) * this.codeStride;
    if (bytes > this.codes.byteLength) {
      // Codes take a quarter of the vectors' bytes, so they fit whenever the vectors did; doubling stops at the cap.
      const want = Math.min(MAX_VECTOR_MEMORY_BYTES, Math.max(bytes, this.codes.byteLength * 2));
      if (this.memory !== null) {
        try {
          this.memory.grow(Math.ceil((want - this.memory.buffer.byteLength) / WASM_PAGE_BYTES));
        } catch (cause) {
          throw outOfMemory('the SQ8 code memory', want, cause);
        }
        this.codes = new Uint8Array(this.memory.buffer);
      } else {
        let grown: Uint8Array;
        try {
          grown = new Uint8Array(want);
        } catch (cause) {
          throw outOfMemory('the SQ8 codes', want, cause);
        }
        grown.set(this.codes);
        this.codes = grown;
      }
    }
    // The sums serve only the dot metrics: an L2 index keeps none (8 bytes per vector saved).
    if (this.dot && numIds + 1 > this.sums.length) {
      const grown = new Float64Array(Math.max(numIds + 1, this.sums.length * 2));
      grown.set(this.sums);
      this.sums = grown;
    }
  }

  /**
   * Brings the codes up to date with the `count` vectors in `vectors` (row `i` at `(i + 1) ·
   * stride`): trains on all of them when never trained or when the index has doubled since, else
   * encodes only the ids added since the last call.
   */
  sync(vectors: Float32Array, stride: number, count: number): void {
    if (count === 0) return;
    if (this.trainedCount === 0 || count >= 2 * this.trainedCount) {
      this.train(vectors, stride, count);
      this.encodedCount = 0;
    }
    if (this.encodedCount >= count) return;
    this.reserve(count);
    for (let id = this.encodedCount; id < count; id++) this.encode(id + 1, vectors, (id + 1) * stride);
    this.encodedCount = count;
  }

  private train(vectors: Float32Array, stride: number, count: number): void {
    this.startTraining();
    for (let i = 0; i < count; i++) this.observe(vectors, (i + 1) * stride);
    this.finishTraining(count);
  }

  /** Starts training over vectors given one at a time to {@link observe} (codes-only loads, which stream them). */
  startTraining(): void {
    this.min.fill(Infinity);
    this.trainingMax = new Float32Array(this.dimension).fill(-Infinity);
  }

  /** Takes the vector at `vectors[offset …]` into the range being trained. */
  observe(vectors: Float32Array, offset: number): void {
    const dim = this.dimension;
    const min = this.min;
    const max = this.trainingMax!;
    for (let d = 0; d < dim; d++) {
      const x = vectors[offset + d]!;
      if (x < min[d]!) min[d] = x;
      if (x > max[d]!) max[d] = x;
    }
  }

  /** Ends training over `count` observed vectors: the scale, and the constant of the dot metrics. */
  finishTraining(count: number): void {
    const dim = this.dimension;
    const min = this.min;
    const max = this.trainingMax!;
    this.trainingMax = null;
    let range = 0;
    let minSquares = 0;
    for (let d = 0; d < dim; d++) {
      if (count === 0) min[d] = 0;
      range = Math.max(range, max[d]! - min[d]!);
      minSquares += min[d]! * min[d]!;
    }
    this.scale = range > 0 ? range / 255 : 1;
    this.invScale = 1 / this.scale;
    this.minSquares = minSquares;
    this.trainedCount = count;
  }

  /** Encodes the vector at `vectors[offset …]` into code slot `slot` (0: the query). */
  encode(slot: number, vectors: Float32Array, offset: number): void {
    const dim = this.dimension;
    const codes = this.codes;
    const min = this.min;
    const inv = this.invScale;
    const base = slot * this.codeStride;
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      let c = Math.round((vectors[offset + d]! - min[d]!) * inv);
      c = c < 0 ? 0 : c > 255 ? 255 : c;
      codes[base + d] = c;
      sum += min[d]! * c;
    }
    if (this.dot) this.sums[slot] = sum;
  }

  /** Re-encodes id `id` after its vector changed (only when it already had a code). */
  refresh(id: number, vectors: Float32Array, stride: number): void {
    if (id < this.encodedCount) this.encode(id + 1, vectors, (id + 1) * stride);
  }

  /** Code-space distance between code slot `slot` (0: the query, `i + 1`: id `i`) and id `id`, in the metric's units. */
  distance(slot: number, id: number): number {
    const cs = this.codeStride;
    const raw = this.kernel(slot * cs, (id + 1) * cs, cs);
    const s = this.scale;
    if (!this.dot) return s * s * raw;
    return 1 - (this.minSquares + s * (this.sums[slot]! + this.sums[id + 1]!) + s * s * raw);
  }
}
