import * as F from '@vego/format';
import { ProtoMessage, ProtoWriter } from '../src/internal/protobuf';

describe('wire format', () => {
  it('encodes a non-null int32 page encoding to fixed bytes', () => {
    const e: F.ArrayEncoding = { kind: 'nullable', nulls: 'none', values: { kind: 'flat', bitsPerValue: 32, buffer: { index: 0, location: 'page' } } };
    const bytes = F.encodeArrayEncoding(e);
    expect(Buffer.from(bytes).toString('hex')).toBe('120a0a080a060a0408201200');
    expect(F.decodeArrayEncoding(bytes)).toEqual(e);
  });

  it('encodes the footer of a one-column 2.0 file', () => {
    const f = F.encodeFooter({ columnMeta0Position: 64, cmoTablePosition: 100, gboTablePosition: 116, numGlobalBuffers: 1, numColumns: 1, major: 0, minor: 3 });
    expect(Buffer.from(f.subarray(24)).toString('hex')).toBe('0100000001000000000003004c414e43');
    expect(F.decodeFooter(f, 172)).toEqual({ columnMeta0Position: 64, cmoTablePosition: 100, gboTablePosition: 116, numGlobalBuffers: 1, numColumns: 1, major: 0, minor: 3 });
  });

  it('writes -1 as a 10-byte varint and reads it back as int32', () => {
    const w = new ProtoWriter().int(4, -1).uint(3, 300);
    expect(Buffer.from(w.finish()).toString('hex')).toBe('20ffffffffffffffffff0118ac02');
    const m = ProtoMessage.decode(w.finish(), 'test');
    expect(m.int32(4)).toBe(-1);
    expect(m.uint(3)).toBe(300);
  });

  it('rejects over-long varints and lengths past the end', () => {
    expect(() => ProtoMessage.decode(Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 't')).toThrow(F.CorruptDataError);
    expect(() => ProtoMessage.decode(Uint8Array.from([0x0a, 0x05, 0x01]), 't')).toThrow(F.CorruptDataError);
    expect(() => F.decodeArrayEncoding(new Uint8Array(0))).toThrow(F.CorruptDataError);
  });
});
