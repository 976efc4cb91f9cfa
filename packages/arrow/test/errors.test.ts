import {
  VegoError,
  isVegoError,
  ErrorCode,
  InvalidArgumentError,
  CorruptDataError,
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
