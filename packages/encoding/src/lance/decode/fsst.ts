/**
 * FSST (Fast Static Symbol Table) string decompression as Lance 2.1 stores it (`Fsst { symbol_table }`).
 *
 * Symbol table bytes: a u64 header (`0x46535354` "FSST" in the high 32 bits, bit 24 = decoder switch on,
 * low 8 bits = number of symbols n), then n u64 symbols (bytes of the symbol, first byte lowest), then n
 * u8 symbol lengths (1 … 8). Compressed strings are byte codes: a code c < n emits symbol c, code 255
 * emits the next byte verbatim. With the decoder switch off the strings were stored uncompressed.
 */
import { CorruptDataError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import type { DecodeLimits } from '../../decode-limits';
import type { BlockDecoder } from './frame';

/** A parsed symbol table. */
export interface FsstTable {
  enabled: boolean;
  numSymbols: number;
  /** 8 bytes per symbol. */
  symbols: Uint8Array;
  lengths: Uint8Array;
}

/** Parses a Lance FSST symbol table. @throws CorruptDataError on bad magic or size. */
export function parseFsstTable(table: Uint8Array): FsstTable {
  if (table.length < 8) throw new CorruptDataError(`FSST symbol table of ${table.length} bytes, expected at least 8`);
  const dv = new DataView(table.buffer, table.byteOffset, table.length);
  const hi = dv.getUint32(4, true);
  const lo = dv.getUint32(0, true);
  if (hi !== 0x46535354) throw new CorruptDataError(`FSST symbol table: expected magic 0x46535354, found 0x${hi.toString(16)}`);
  const n = lo & 255;
  const enabled = ((lo >>> 24) & 1) === 1;
  if (table.length < 8 + n * 9) throw new CorruptDataError(`FSST symbol table of ${table.length} bytes is too short for ${n} symbols`);
  const symbols = table.subarray(8, 8 + n * 8);
  const lengths = table.subarray(8 + n * 8, 8 + n * 9);
  for (let i = 0; i < n; i++) {
    const l = lengths[i]!;
    if (l < 1 || l > 8) throw new CorruptDataError(`FSST symbol ${i} has length ${l}, expected 1..8`);
  }
  return { enabled, numSymbols: n, symbols, lengths };
}

/**
 * Decompresses `n` strings (input offsets `inOffsets[0 … n]` into `bytes`), returning new offsets and bytes (copies).
 * @param limits - output bounds; missing means the module default (`setDefaultDecodeLimits`).
 * @throws CorruptDataError on an unknown code or an output beyond the limits.
 */
export function fsstDecompress(t: FsstTable, bytes: Uint8Array, inOffsets: Int32Array, n: number, limits?: DecodeLimits): { offsets: Int32Array; bytes: Uint8Array } {
  const base = inOffsets[0]!;
  if (!t.enabled) {
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = inOffsets[i]! - base;
    return { offsets, bytes: bytes.slice(base, inOffsets[n]!) };
  }
  // First pass: output size.
  const lens = t.lengths;
  const nsym = t.numSymbols;
  let total = 0;
  const end = inOffsets[n]!;
  for (let p = base; p < end; p++) {
    const c = bytes[p]!;
    if (c === 255) {
      total++;
      p++;
    } else {
      if (c >= nsym) throw new CorruptDataError(`FSST code ${c} at byte ${p} is beyond the ${nsym} symbols`);
      total += lens[c]!;
    }
  }
  // At most 8 bytes out per byte in, and the module-level output limit of @vego/encoding.
  checkDecodeLimits('FSST strings', total, 1, limits);
  const out = new Uint8Array(total);
  const offsets = new Int32Array(n + 1);
  const sym = t.symbols;
  let op = 0;
  for (let i = 0; i < n; i++) {
    const s = inOffsets[i]!;
    const e = inOffsets[i + 1]!;
    let p = s;
    while (p < e) {
      const c = bytes[p++]!;
      if (c === 255) {
        if (p < e) out[op++] = bytes[p++]!;
      } else {
        const l = lens[c]!;
        const at = c * 8;
        for (let k = 0; k < l; k++) out[op++] = sym[at + k]!;
      }
    }
    offsets[i + 1] = op;
  }
  return { offsets, bytes: op === total ? out : out.subarray(0, op) };
}

/** `fsst(symbol_table, values)`: decodes the inner variable-width values, then expands their codes. */
export const decodeFsst: BlockDecoder<'fsst'> = (c, buffers, n, ctx) => {
  const inner = ctx.decompress(c.values, buffers, n);
  if (inner.kind !== 'variable') throw new CorruptDataError(`${ctx.where}: FSST over fixed-width values`);
  const out = fsstDecompress(parseFsstTable(c.symbolTable), inner.bytes, inner.offsets, n, ctx.limits);
  return { kind: 'variable', numValues: n, offsets: out.offsets, bytes: out.bytes };
};
