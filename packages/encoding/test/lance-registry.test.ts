/**
 * The registry of Lance 2.1/2.2 physical encodings: every entry with a mini-block encoder round-trips its
 * chunks through the registry's dispatch (`decompressMiniBlock` of the tree the writer describes), the
 * encodings written as whole buffers (out-of-line bit-packed levels, variable dictionaries, FSST pages)
 * decode back through it, and a kind outside the registry is a NotSupportedError.
 */
import {
  buildVariableDictionary,
  chooseMiniBlockEncoder,
  CorruptDataError,
  decompressBlock,
  decompressMiniBlock,
  encodeOutOfLineBitpacked,
  encodeVariableBlock,
  fsstPageIfSmaller,
  LANCE_ENCODINGS,
  lanceEncoding,
  MINI_BLOCK_ENCODERS,
  MINI_BLOCK_TARGET_BYTES,
  NotSupportedError,
  toCompressiveEncoding,
} from '@vego/encoding';
import type { CompressiveEncoding, DecodedBlock, FixedWidthValues, MiniBlockEncoder, PageValues, VariableWidthValues } from '@vego/encoding';
import { rng } from './helpers';

const random = rng(2111);

/** 5000 int32 values in runs of 1–40 of small numbers: every fixed-width encoder applies. */
function runsOfSmallInts(): FixedWidthValues {
  const v = new Int32Array(5000);
  for (let i = 0; i < v.length; ) {
    const run = 1 + Math.floor(random() * 40);
    const x = Math.floor(random() * 300);
    for (let k = 0; k < run && i < v.length; k++) v[i++] = x;
  }
  return { kind: 'fixed', bitsPerValue: 32, count: v.length, bytes: new Uint8Array(v.buffer), integer: true };
}

/** `n` strings drawn from a small vocabulary, with nulls (written empty) when `withNulls`. */
function strings(n: number, withNulls: boolean): VariableWidthValues {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo-echo', 'foxtrot', 'golf', ''];
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const offsets = new Int32Array(n + 1);
  const validity = withNulls ? new Uint8Array((n + 7) >>> 3) : null;
  for (let i = 0; i < n; i++) {
    const s = enc.encode(`${words[Math.floor(random() * words.length)]!} ${Math.floor(random() * 50)}`);
    const valid = !withNulls || random() < 0.9;
    if (validity !== null && valid) validity[i >>> 3]! |= 1 << (i & 7);
    parts.push(s);
    offsets[i + 1] = offsets[i]! + s.length;
  }
  const bytes = new Uint8Array(offsets[n]!);
  parts.forEach((p, i) => bytes.set(p, offsets[i]!));
  return { kind: 'variable', count: n, offsets, bytes, validity, validityOffset: 0 };
}

function valuesFor(e: MiniBlockEncoder): PageValues {
  return e.name === 'variable' ? strings(3000, true) : runsOfSmallInts();
}

/** The expected decoded values of chunk `[at, at + n)`: raw bytes, or strings with nulls empty. */
function expectChunk(v: PageValues, at: number, n: number, got: DecodedBlock): void {
  expect(got.numValues).toBe(n);
  if (v.kind === 'fixed') {
    expect(got.kind).toBe('fixed');
    expect(Buffer.from(got.bytes)).toEqual(Buffer.from(v.bytes.subarray((at * v.bitsPerValue) / 8, ((at + n) * v.bitsPerValue) / 8)));
    return;
  }
  if (got.kind !== 'variable') throw new Error('expected variable-width values');
  for (let i = 0; i < n; i++) {
    const r = at + i;
    const valid = v.validity === null || ((v.validity[r >>> 3]! >>> (r & 7)) & 1) === 1;
    const want = valid ? v.bytes.subarray(v.offsets[r]!, v.offsets[r + 1]!) : new Uint8Array(0);
    expect(Buffer.from(got.bytes.subarray(got.offsets[i]!, got.offsets[i + 1]!))).toEqual(Buffer.from(want));
  }
}

describe('LANCE_ENCODINGS', () => {
  it('holds one entry per physical encoding, keyed by its CompressiveEncoding kind, with Lance names', () => {
    expect([...LANCE_ENCODINGS.keys()].sort()).toEqual(
      ['byteStreamSplit', 'constant', 'dictionary', 'fixedSizeList', 'flat', 'fsst', 'general', 'inlineBitpacking', 'outOfLineBitpacking', 'rle', 'variable'].sort(),
    );
    for (const [kind, e] of LANCE_ENCODINGS) expect(e.kind).toBe(kind);
    expect(lanceEncoding('outOfLineBitpacking').name).toBe('out_of_line_bitpacking');
    expect(lanceEncoding('byteStreamSplit').name).toBe('byte_stream_split');
    expect([...LANCE_ENCODINGS.values()].filter((e) => e.decode !== null).map((e) => e.kind).sort()).toEqual(
      ['byteStreamSplit', 'constant', 'fixedSizeList', 'flat', 'fsst', 'general', 'inlineBitpacking', 'outOfLineBitpacking', 'rle', 'variable'].sort(),
    );
  });

  it('is where the writer finds its mini-block encoders', () => {
    const withEncoder = [...LANCE_ENCODINGS.values()].filter((e) => e.encoder !== null);
    expect(withEncoder.map((e) => e.kind).sort()).toEqual(['flat', 'inlineBitpacking', 'rle', 'variable']);
    for (const e of withEncoder) expect(MINI_BLOCK_ENCODERS.get(e.encoder!.name)).toBe(e.encoder);
    expect(chooseMiniBlockEncoder(runsOfSmallInts())).toBe(lanceEncoding('rle').encoder);
    expect(chooseMiniBlockEncoder(strings(10, false))).toBe(lanceEncoding('variable').encoder);
  });

  it.each([...LANCE_ENCODINGS.values()].filter((e) => e.encoder !== null).map((e) => [e.kind, e] as const))('round-trips %s chunks encode → decode through the registry', (kind, e) => {
    const enc = e.encoder!;
    const v = valuesFor(enc);
    const tree: CompressiveEncoding = toCompressiveEncoding(enc.compression(v));
    expect(tree.kind).toBe(kind);
    let chunks = 0;
    for (let at = 0; at < v.count; chunks++) {
      const n = enc.chunkValues(v, at, MINI_BLOCK_TARGET_BYTES);
      expect(n).toBeGreaterThan(0);
      const got = decompressMiniBlock(tree, enc.encodeChunk(v, at, n), n, `chunk ${chunks}`);
      expectChunk(v, at, n, got);
      at += n;
    }
    expect(chunks).toBeGreaterThan(1);
  });

  it('round-trips the whole-buffer writers through the registry: out-of-line bit-packed levels, variable dictionaries, FSST pages', () => {
    const levels = Uint32Array.from({ length: 2500 }, () => Math.floor(random() * 4));
    const packed = encodeOutOfLineBitpacked(levels, 0, levels.length, 16, 2);
    const tree = { kind: 'outOfLineBitpacking', uncompressedBitsPerValue: 16, values: { kind: 'flat', bitsPerValue: 2, compression: 'none' } } as const;
    expect(Array.from(new Uint16Array(decompressBlock(tree, packed, levels.length, 'levels').bytes.slice().buffer))).toEqual(Array.from(levels));

    const s = strings(400, false);
    const d = buildVariableDictionary(s, s.count)!;
    expect(d.numItems).toBeLessThan(s.count);
    const dict = decompressBlock({ kind: 'variable', offsets: { kind: 'flat', bitsPerValue: 32, compression: 'none' }, compression: 'none' }, encodeVariableBlock(d.itemOffsets, d.itemBytes, d.numItems), d.numItems, 'dictionary');
    if (dict.kind !== 'variable') throw new Error('expected variable-width values');
    for (let i = 0; i < s.count; i++) {
      const j = d.indices[i]!;
      expect(Buffer.from(dict.bytes.subarray(dict.offsets[j]!, dict.offsets[j + 1]!))).toEqual(Buffer.from(s.bytes.subarray(s.offsets[i]!, s.offsets[i + 1]!)));
    }

    const big = strings(3000, false);
    const f = fsstPageIfSmaller(big)!;
    expect(f).not.toBeNull();
    const fsstTree = toCompressiveEncoding({ kind: 'fsst', symbolTable: f.symbolTable, values: { kind: 'variable', offsetBits: 32 } });
    const got = decompressMiniBlock(fsstTree, lanceEncoding('variable').encoder!.encodeChunk(f.values, 0, 1000), 1000, 'fsst chunk');
    expectChunk(big, 0, 1000, got);
  });

  it('joins byte-stream-split chunks: byte j of every value, then byte j + 1', () => {
    const bss = (bits: number) => ({ kind: 'byteStreamSplit', values: { kind: 'flat', bitsPerValue: bits, compression: 'none' } }) as const;
    // f32 1, 2, 3, 4 split into four streams of four bytes.
    const split = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0x40, 0x80, 0x3f, 0x40, 0x40, 0x40);
    const got = decompressMiniBlock(bss(32), [split], 4, 'chunk');
    expect(Array.from(new Float32Array(got.kind === 'fixed' ? got.bytes.slice().buffer : new ArrayBuffer(0)))).toEqual([1, 2, 3, 4]);
    // Two int64 values: 0x0102030405060708 and -1.
    const two = Uint8Array.of(8, 0xff, 7, 0xff, 6, 0xff, 5, 0xff, 4, 0xff, 3, 0xff, 2, 0xff, 1, 0xff);
    const g2 = decompressMiniBlock(bss(64), [two], 2, 'chunk');
    expect(Array.from(new BigInt64Array(g2.kind === 'fixed' ? g2.bytes.slice().buffer : new ArrayBuffer(0)))).toEqual([0x0102030405060708n, -1n]);
    // A chunk shorter than its values is damage, not a short read.
    expect(() => decompressMiniBlock(bss(64), [two.subarray(0, 15)], 2, 'chunk')).toThrow(CorruptDataError);
  });

  it('refuses a kind outside the registry with a typed NotSupportedError', () => {
    expect(() => lanceEncoding('delta')).toThrow(NotSupportedError);
    expect(() => lanceEncoding('delta')).toThrow(/'delta'/);
    expect(() => decompressBlock({ kind: 'unsupported', name: 'delta' }, new Uint8Array(8), 2, 'c')).toThrow(NotSupportedError);
    // Byte-stream split of anything but 32- or 64-bit flat values.
    expect(() => decompressMiniBlock({ kind: 'byteStreamSplit', values: { kind: 'flat', bitsPerValue: 16, compression: 'none' } }, [new Uint8Array(8)], 2, 'c')).toThrow(NotSupportedError);
    expect(() => decompressMiniBlock({ kind: 'constant', value: Uint8Array.of(1) }, [new Uint8Array(8)], 2, 'c')).toThrow(/mini-block values encoded as constant is not supported/);
  });
});
