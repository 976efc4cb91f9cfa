import {
  VegoError,
  isVegoError,
  ErrorCode,
  InvalidArgumentError,
  CorruptDataError,
  corruptData,
  UnsupportedVersionError,
  IoError,
} from '@vego/arrow';

describe('VegoError', () => {
  it('carries a stable code, its class name and the cause', () => {
    const cause = new Error('inner');
    const e = new CorruptDataError('bad magic at offset 0: expected LANC, found XXXX', { cause });
    expect(e).toBeInstanceOf(VegoError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe(ErrorCode.CORRUPT_DATA);
    expect(e.name).toBe('CorruptDataError');
    expect(e.cause).toBe(cause);
  });

  it('is recognised by isVegoError but plain errors are not', () => {
    expect(isVegoError(new InvalidArgumentError('`k` must be positive'))).toBe(true);
    expect(isVegoError(new Error('x'))).toBe(false);
    expect(isVegoError(null)).toBe(false);
    expect(isVegoError({ code: ErrorCode.IO })).toBe(false);
  });

  it('keeps version and path details', () => {
    const v = new UnsupportedVersionError('file version 9.9', 9, 9);
    expect([v.major, v.minor, v.code]).toEqual([9, 9, ErrorCode.UNSUPPORTED_VERSION]);
    const io = new IoError('cannot open', '/x/y');
    expect(io.path).toBe('/x/y');
    expect(io.code).toBe('VEGO_IO');
  });

  it('has distinct codes', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('corruptData', () => {
  it('builds the one CorruptDataError message shape: detail, or expected/found with an optional byte', () => {
    expect(corruptData('page 3', 'bad header').message).toBe('page 3: bad header');
    const e = corruptData('deletion file', 'magic ARROW1', 'ARROW2', 0);
    expect(e).toBeInstanceOf(CorruptDataError);
    expect(e.code).toBe(ErrorCode.CORRUPT_DATA);
    expect(e.message).toBe('deletion file: expected magic ARROW1, found ARROW2 at byte 0');
    expect(corruptData('snapshot `x`', 'a typed array', undefined).message).toBe('snapshot `x`: expected a typed array, found undefined');
    expect(corruptData('rle', '1..4', 7, undefined).message).toBe('rle: expected 1..4, found 7');
  });
});
