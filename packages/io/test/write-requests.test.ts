import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { writeAllAt } from '../src/internal/fs-effects';
import { makeTempDir, removeDir } from './fixtures/helpers';

/** A FileHandle stand-in: records each write request, and writes at most `short` bytes of each. */
function recordingHandle(target: Uint8Array, short: number): { handle: fsp.FileHandle; requests: number[] } {
  const requests: number[] = [];
  const handle = {
    write: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
      requests.push(length);
      const n = Math.min(length, short);
      target.set(buffer.subarray(offset, offset + n), position);
      return { bytesWritten: n, buffer };
    },
  } as unknown as fsp.FileHandle;
  return { handle, requests };
}

describe('writeAllAt', () => {
  const bytes = new Uint8Array(5 * 1024 * 1024 + 123);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255;

  it('writes a large buffer in requests of at most 1 MiB, every byte at its place', async () => {
    const target = new Uint8Array(bytes.length + 10);
    const { handle, requests } = recordingHandle(target, Infinity);
    await writeAllAt(handle, bytes, 10);
    expect(requests.length).toBe(6);
    expect(Math.max(...requests)).toBe(1024 * 1024);
    expect(requests.reduce((a, b) => a + b, 0)).toBe(bytes.length);
    expect(Buffer.from(target.subarray(10)).equals(Buffer.from(bytes))).toBe(true);
    expect(target.subarray(0, 10).every((b) => b === 0)).toBe(true);
  });

  it('carries on after short writes until every byte is written', async () => {
    const target = new Uint8Array(bytes.length);
    const { handle, requests } = recordingHandle(target, 300_001);
    await writeAllAt(handle, bytes, 0);
    expect(requests.length).toBe(Math.ceil(bytes.length / 300_001));
    expect(Buffer.from(target).equals(Buffer.from(bytes))).toBe(true);
  });

  it('writes a real file the same', async () => {
    const dir = makeTempDir('vego-write-requests-');
    try {
      const file = path.join(dir, 'f.bin');
      const handle = await fsp.open(file, 'w');
      try {
        await writeAllAt(handle, bytes.subarray(0, 1000), 0);
        await writeAllAt(handle, bytes.subarray(1000), 1000);
      } finally {
        await handle.close();
      }
      expect(Buffer.from(fs.readFileSync(file)).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      removeDir(dir);
    }
  });
});
