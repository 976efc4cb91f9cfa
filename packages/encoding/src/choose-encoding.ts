/**
 * Adaptive encoding selection from {@link computeStatistics}: estimates the output size of every
 * applicable encoding and picks the smallest, preferring a ZSTD-free encoding when it is within
 * {@link LIGHTWEIGHT_PREFERENCE} of the best (it decodes several times faster). Rules in the README.
 */
import { InvalidArgumentError, TypeId } from '@vego/arrow';
import type { ArrayData, DataType } from '@vego/arrow';
import { bitWidth32 } from './bit-packing';
import { ENCODING_KINDS } from './encoding-description';
import type { EncodingKind, IndexEncoding } from './encoding-description';
import { byteWidthOf, isBinaryType, isIntegerType } from './internal/lanes';
import { computeStatistics } from './statistics';
import type { ArrayStatistics } from './statistics';
import { isZstdReady } from './zstd';

/** A lightweight encoding within this fraction of the smallest estimate wins over a ZSTD one. */
export const LIGHTWEIGHT_PREFERENCE = 0.03;

/** Options of {@link chooseEncoding} and `encodeArray`. */
export interface EncodeOptions {
  /** Force this encoding (must apply to the type). */
  encoding?: EncodingKind;
  /** ZSTD level 1..19 for `zstd` and `bss-zstd` (default 3). */
  zstdLevel?: number;
  /** Force how dictionary indices are stored (default: the smaller). */
  indexEncoding?: IndexEncoding;
  /** Consider ZSTD-based encodings when choosing (default: true once `initZstd()` has finished). */
  allowZstd?: boolean;
}

/** What {@link chooseEncoding} returns. */
export interface EncodingChoice {
  /** The chosen encoding. */
  readonly encoding: EncodingKind;
  /** Why, for people (mentions the estimates). */
  readonly reason: string;
  /** Estimated payload bytes of every encoding considered. */
  readonly estimates: Partial<Record<EncodingKind, number>>;
  /** The statistics the choice was made from. */
  readonly statistics: ArrayStatistics;
}

/** Encodings that apply to `type` (in preference order for ties). */
export function applicableEncodings(type: DataType): EncodingKind[] {
  if (type.typeId === TypeId.Bool) return ['plain', 'rle', 'zstd'];
  if (isBinaryType(type)) return ['plain', 'dictionary', 'zstd'];
  if (isIntegerType(type)) return ['plain', 'bitpacked', 'rle', 'dictionary', 'bss', 'zstd', 'bss-zstd'];
  if (byteWidthOf(type) > 0) return ['plain', 'rle', 'dictionary', 'bss', 'zstd', 'bss-zstd'];
  return [];
}

/**
 * Chooses an encoding for `data` and says why.
 * @param data - the array (Bool, integers, floats, Utf8, Binary).
 * @param options - force an encoding or a ZSTD level; allow or forbid ZSTD.
 * @throws InvalidArgumentError when a forced encoding does not apply to the type; NotSupportedError for nested types.
 * @example
 * ```ts
 * const { encoding, reason } = chooseEncoding(data);
 * ```
 */
export function chooseEncoding(data: ArrayData, options: EncodeOptions = {}): EncodingChoice {
  const applicable = applicableEncodings(data.type);
  if (options.encoding !== undefined) {
    if (!(ENCODING_KINDS as readonly string[]).includes(options.encoding) || !applicable.includes(options.encoding)) {
      throw new InvalidArgumentError(`\`options.encoding\` '${String(options.encoding)}' does not apply to ${data.type.toString()} (use one of ${applicable.join(', ')})`);
    }
  }
  const s = computeStatistics(data);
  const estimates = estimateSizes(data.type, s, applicable);
  if (options.encoding !== undefined) {
    return { encoding: options.encoding, reason: `forced by options.encoding`, estimates, statistics: s };
  }
  const allowZstd = options.allowZstd ?? isZstdReady();
  if (s.length === 0 || s.nullCount === s.length) {
    return { encoding: 'plain', reason: s.length === 0 ? 'empty array' : 'all values are null', estimates, statistics: s };
  }
  let best: EncodingKind = 'plain';
  let bestSize = Infinity;
  let bestLight: EncodingKind = 'plain';
  let bestLightSize = Infinity;
  for (const kind of applicable) {
    if (kind === 'bss') continue; // never smaller than plain on its own
    const isZstd = kind === 'zstd' || kind === 'bss-zstd';
    if (isZstd && !allowZstd) continue;
    const size = estimates[kind]!;
    if (size < bestSize) {
      best = kind;
      bestSize = size;
    }
    if (!isZstd && size < bestLightSize) {
      bestLight = kind;
      bestLightSize = size;
    }
  }
  let chosen = best;
  let why = `smallest estimate`;
  if (best !== bestLight && bestLightSize <= bestSize * (1 + LIGHTWEIGHT_PREFERENCE)) {
    chosen = bestLight;
    why = `within ${LIGHTWEIGHT_PREFERENCE * 100}% of ${best} (${Math.round(bestSize)} B) and faster to decode`;
  }
  const detail = describe(chosen, s);
  const reason = `${chosen}: ${why}, ~${Math.round(estimates[chosen]!)} B vs plain ${s.plainByteLength} B (${detail})`;
  return { encoding: chosen, reason, estimates, statistics: s };
}

function describe(kind: EncodingKind, s: ArrayStatistics): string {
  switch (kind) {
    case 'bitpacked': return `max − min fits in ${s.bitWidth} bits`;
    case 'rle': return `${s.runCount} runs over ${s.length} values`;
    case 'dictionary': return `${s.distinctExact ? '' : '~'}${s.distinctCount} distinct of ${s.length}`;
    case 'zstd': return `byte entropy ${s.byteEntropy.toFixed(2)} bits`;
    case 'bss-zstd': return `byte-stream entropy ${s.streamEntropy.toFixed(2)} bits vs ${s.byteEntropy.toFixed(2)} unsplit`;
    default: return `no encoding beats plain`;
  }
}

/** Estimated payload bytes per encoding from statistics (the rules documented in the README). */
export function estimateSizes(type: DataType, s: ArrayStatistics, kinds: readonly EncodingKind[]): Partial<Record<EncodingKind, number>> {
  const n = s.length;
  const w = type.typeId === TypeId.Bool ? 1 : s.byteWidth;
  const out: Partial<Record<EncodingKind, number>> = {};
  const binary = isBinaryType(type);
  for (const kind of kinds) {
    let size: number;
    switch (kind) {
      case 'plain':
      case 'bss':
        size = s.plainByteLength;
        break;
      case 'bitpacked':
        size = Math.ceil((n * s.bitWidth) / 8);
        break;
      case 'rle':
        size = 4 + s.runCount * (4 + w);
        break;
      case 'dictionary': {
        const d = Math.max(1, Math.min(s.distinctCount, n));
        const dictBytes = binary ? d * 4 + 4 + (s.dataByteLength / Math.max(1, n)) * d : d * w;
        const packed = Math.ceil((n * bitWidth32(d - 1)) / 8);
        const rle = 4 + s.runCount * 8;
        size = dictBytes + Math.min(packed, rle);
        break;
      }
      case 'zstd':
        size = binary
          ? (s.dataByteLength * s.byteEntropy) / 8 + n * 4 * (Math.max(1, Math.log2(1 + s.dataByteLength / Math.max(1, n))) / 32) + 16
          : (s.plainByteLength * s.byteEntropy) / 8 + 16;
        break;
      case 'bss-zstd':
        size = (s.plainByteLength * s.streamEntropy) / 8 + 16;
        break;
    }
    out[kind] = size;
  }
  return out;
}
