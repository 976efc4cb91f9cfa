/**
 * The FSST trainer and encoder: the symbol table bytes have Lance's fixed layout, the codes decode (by a
 * decoder written here from the format description, independent of the library's) to the input exactly,
 * and through the library's own decoder, and the page chooser picks FSST only when it makes the page smaller.
 */
import {
  FSST_SYMBOL_TABLE_BYTES, encodeFsstSymbolTable, fsstCompress, fsstCompressedByteLength, fsstDecompress, fsstPageIfSmaller, parseFsstTable, trainFsstTable,
} from '@vego/encoding';
import type { VariableWidthValues } from '@vego/encoding';
import { rng } from './helpers';

function pack(strings: Array<string | Uint8Array>): { offsets: Int32Array; bytes: Uint8Array } {
  const parts = strings.map((s) => (typeof s === 'string' ? new TextEncoder().encode(s) : s));
  const offsets = new Int32Array(parts.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
  const bytes = new Uint8Array(offsets[parts.length]!);
  parts.forEach((p, i) => bytes.set(p, offsets[i]!));
  return { offsets, bytes };
}

/** Decodes codes with a serialised table, following the layout in the encoder's file header. */
function referenceDecode(table: Uint8Array, codes: Uint8Array, offsets: Int32Array): Uint8Array[] {
  const dv = new DataView(table.buffer, table.byteOffset, table.length);
  const n = dv.getUint32(0, true) & 255;
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < offsets.length; i++) {
    const bytes: number[] = [];
    for (let p = offsets[i]!; p < offsets[i + 1]!; p++) {
      const c = codes[p]!;
      if (c === 255) bytes.push(codes[++p]!);
      else {
        if (c >= n) throw new Error(`code ${c} is beyond the ${n} symbols`);
        const len = table[8 + n * 8 + c]!;
        for (let q = 0; q < len; q++) bytes.push(table[8 + c * 8 + q]!);
      }
    }
    out.push(Uint8Array.from(bytes));
  }
  return out;
}

function variable(offsets: Int32Array, bytes: Uint8Array): VariableWidthValues {
  return { kind: 'variable', count: offsets.length - 1, offsets, bytes, validity: null, validityOffset: 0 };
}

describe('FSST encoder', () => {
  const r = rng(11);
  const words = ['lance', 'vector', 'column', 'page', 'chunk', 'symbol', 'table', 'é', '日本', ' ', '/', '-'];
  const text = Array.from({ length: 3000 }, (_, i) => (i % 50 === 0 ? '' : Array.from({ length: 1 + (i % 9) }, () => words[Math.floor(r() * words.length)]).join('') + String(i)));

  it('writes the 2,312-byte table Lance reads: magic, decoder switch, symbol count, symbols then lengths', () => {
    const { offsets, bytes } = pack(text);
    const t = trainFsstTable(offsets, bytes, text.length);
    const b = encodeFsstSymbolTable(t);
    expect(b.length).toBe(FSST_SYMBOL_TABLE_BYTES);
    expect(b.length).toBe(2312);
    const dv = new DataView(b.buffer);
    expect(dv.getUint32(4, true)).toBe(0x46535354);
    expect((dv.getUint32(0, true) >>> 24) & 1).toBe(1);
    const n = dv.getUint32(0, true) & 255;
    expect(n).toBe(t.numSymbols);
    expect(n).toBeGreaterThan(50);
    expect(n).toBeLessThanOrEqual(255);
    for (let c = 0; c < n; c++) {
      const len = b[8 + n * 8 + c]!;
      expect(len).toBeGreaterThanOrEqual(1);
      expect(len).toBeLessThanOrEqual(8);
      for (let q = len; q < 8; q++) expect(b[8 + c * 8 + q]).toBe(0);
    }
    expect(b.subarray(8 + n * 9).every((x) => x === 0)).toBe(true);
  });

  it('round-trips text, empty strings, every byte value and 1-byte strings exactly', () => {
    const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const inputs: Array<string | Uint8Array> = [...text, allBytes, '', 'a', '\u0000', allBytes.slice(250), 'x'.repeat(5000)];
    const { offsets, bytes } = pack(inputs);
    const t = trainFsstTable(offsets, bytes, inputs.length);
    const c = fsstCompress(t, offsets, bytes, inputs.length);
    expect(c.offsets[inputs.length]).toBe(c.bytes.length);
    expect(fsstCompressedByteLength(t, offsets, bytes, inputs.length)).toBe(c.bytes.length);
    const back = referenceDecode(encodeFsstSymbolTable(t), c.bytes, c.offsets);
    const differing = back.findIndex((x, i) => Buffer.compare(Buffer.from(x), Buffer.from(bytes.subarray(offsets[i]!, offsets[i + 1]!))) !== 0);
    expect(differing).toBe(-1);
    expect(c.bytes.length).toBeLessThan(bytes.length * 0.6);
  });

  it("round-trips through the library's own FSST decoder (the reader's)", () => {
    const { offsets, bytes } = pack(text);
    const t = trainFsstTable(offsets, bytes, text.length);
    const c = fsstCompress(t, offsets, bytes, text.length);
    const out = fsstDecompress(parseFsstTable(encodeFsstSymbolTable(t)), c.bytes, c.offsets, text.length);
    expect(Buffer.compare(Buffer.from(out.bytes), Buffer.from(bytes))).toBe(0);
    expect(Array.from(out.offsets)).toEqual(Array.from(offsets));
  });

  it('compresses strings that start at a non-zero offset (a slice)', () => {
    const { offsets, bytes } = pack(['skip me', ...text.slice(0, 200)]);
    const sliced = offsets.subarray(1);
    const t = trainFsstTable(sliced, bytes, 200);
    const c = fsstCompress(t, sliced, bytes, 200);
    const back = referenceDecode(encodeFsstSymbolTable(t), c.bytes, c.offsets);
    expect(back.map((x) => new TextDecoder().decode(x))).toEqual(text.slice(0, 200));
  });

  it("codes a string the same wherever it lies: mid-buffer, ending near the buffer's end, or before trailing bytes", () => {
    // The encoder reads 8-byte words where it can and goes byte by byte in the last bytes of the buffer;
    // a string's codes must not depend on which, nor on the bytes that follow it.
    const { offsets, bytes } = pack(text);
    const t = trainFsstTable(offsets, bytes, text.length);
    const codesOf = (strings: string[], trailing: number): Uint8Array[] => {
      const p = pack([...strings, Uint8Array.from({ length: trailing }, (_, i) => (i * 37 + 1) & 255)]);
      const c = fsstCompress(t, p.offsets, p.bytes, strings.length);
      return strings.map((_, i) => c.bytes.slice(c.offsets[i]!, c.offsets[i + 1]!));
    };
    const samples = ['lancevector12', 'a', 'ab', 'abc', 'columnpage', 'é', 'symboltable-', 'x'.repeat(9), text[7]!, text[123]!];
    // Each sample followed by a text string, then more text: every sample mid-buffer.
    const mid = codesOf([...samples.flatMap((x, i) => [x, text[i + 1]!]), ...text.slice(0, 50)], 0).filter((_, i) => i % 2 === 0).slice(0, samples.length);
    for (const trailing of [0, 1, 2, 3, 5, 7, 8, 9]) {
      for (let k = 0; k < samples.length; k++) {
        // Alone, then last in a buffer of a few: before `trailing` other bytes at the buffer's end.
        expect(codesOf([samples[k]!], trailing).map((x) => Array.from(x))).toEqual([Array.from(mid[k]!)]);
        expect(codesOf(samples.slice(k), trailing).map((x) => Array.from(x))).toEqual(mid.slice(k).map((x) => Array.from(x)));
      }
    }
    const back = referenceDecode(encodeFsstSymbolTable(t), Uint8Array.from(mid.flatMap((x) => Array.from(x))), Int32Array.from([0, ...mid.map((_, i) => mid.slice(0, i + 1).reduce((n, x) => n + x.length, 0))]));
    expect(back.map((x) => new TextDecoder().decode(x))).toEqual(samples);
  });

  it('is deterministic: the same strings give the same table', () => {
    const { offsets, bytes } = pack(text);
    expect(Array.from(encodeFsstSymbolTable(trainFsstTable(offsets, bytes, text.length)))).toEqual(Array.from(encodeFsstSymbolTable(trainFsstTable(offsets, bytes, text.length))));
  });

  it('trains on empty and tiny inputs without failing', () => {
    for (const inputs of [[], [''], ['a'], ['ab', 'ab']]) {
      const { offsets, bytes } = pack(inputs);
      const t = trainFsstTable(offsets, bytes, inputs.length);
      const c = fsstCompress(t, offsets, bytes, inputs.length);
      expect(referenceDecode(encodeFsstSymbolTable(t), c.bytes, c.offsets).map((x) => new TextDecoder().decode(x))).toEqual(inputs);
    }
  });

  describe('fsstPageIfSmaller', () => {
    it('chooses FSST for repetitive text and the result decodes to the page', () => {
      const { offsets, bytes } = pack(text);
      const page = fsstPageIfSmaller(variable(offsets, bytes));
      expect(page).not.toBeNull();
      expect(page!.values.count).toBe(text.length);
      expect(page!.values.bytes.length + page!.symbolTable.length).toBeLessThan(bytes.length * 0.85);
      expect(referenceDecode(page!.symbolTable, page!.values.bytes, page!.values.offsets).map((x) => new TextDecoder().decode(x))).toEqual(text);
    });

    it('declines random bytes, small pages and short values', () => {
      const random = Array.from({ length: 2000 }, () => Uint8Array.from({ length: 16 }, () => Math.floor(r() * 256)));
      const p = pack(random);
      expect(fsstPageIfSmaller(variable(p.offsets, p.bytes))).toBeNull();
      const small = pack(text.slice(0, 100));
      expect(small.bytes.length).toBeLessThan(8192);
      expect(fsstPageIfSmaller(variable(small.offsets, small.bytes))).toBeNull();
      const short = pack(Array.from({ length: 5000 }, (_, i) => `ab${i % 10}`));
      expect(fsstPageIfSmaller(variable(short.offsets, short.bytes))).toBeNull();
    });

    it('decodes exactly when the page compresses worse than its training sample (the output grows)', () => {
      // 4,096 strings of 32 bytes: the sample takes every 16th string. Half of those repeat one text, the
      // rest (and every other string) are random digits, so the page codes to about twice what the sample
      // predicts and the encoder must grow its output past its first estimate.
      const digits = (): string => Array.from({ length: 32 }, () => String(Math.floor(r() * 10))).join('');
      const strings = Array.from({ length: 4096 }, (_, i) => (i % 32 === 0 ? 'lancevectorlancevectorlancevecto' : digits()));
      const { offsets, bytes } = pack(strings);
      const sample = pack(strings.filter((_, i) => i % 16 === 0));
      const page = fsstPageIfSmaller(variable(offsets, bytes));
      expect(page).not.toBeNull();
      const table = trainFsstTable(offsets, bytes, strings.length);
      const predicted = (fsstCompressedByteLength(table, sample.offsets, sample.bytes, sample.offsets.length - 1) / sample.bytes.length) * bytes.length;
      expect(page!.values.bytes.length).toBeGreaterThan(predicted * 1.2 + 4096);
      expect(referenceDecode(page!.symbolTable, page!.values.bytes, page!.values.offsets).map((x) => new TextDecoder().decode(x))).toEqual(strings);
    });

    it('keeps 64-bit offsets (large_string pages) in the compressed values', () => {
      const t = pack(text);
      const page = fsstPageIfSmaller({ ...variable(t.offsets, t.bytes), offsetBits: 64 });
      expect(page).not.toBeNull();
      expect(page!.values.offsetBits).toBe(64);
    });
  });
});
