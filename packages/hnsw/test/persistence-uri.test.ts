/**
 * Index persistence takes local folders only: an `s3://` or `http(s)://` URI is refused up front
 * (resolved as a path it would have become a local folder named `s3:`, a silent wrong place).
 */
import * as fs from 'node:fs';
import { HNSW, NotSupportedError } from '@vego/hnsw';

describe('HNSW persistence and storage URIs', () => {
  it('refuses s3:// and http(s):// URIs with NotSupportedError, creating nothing locally', async () => {
    const index = new HNSW({ dimension: 2 });
    index.add([1, 2]);
    expect(() => index.saveToLanceSync('s3://bucket/idx')).toThrow(NotSupportedError);
    await expect(index.saveToLance('s3://bucket/idx')).rejects.toBeInstanceOf(NotSupportedError);
    expect(() => HNSW.loadFromLanceSync('https://example.org/idx')).toThrow(NotSupportedError);
    await expect(HNSW.loadFromLance('http://127.0.0.1:1/idx')).rejects.toBeInstanceOf(NotSupportedError);
    expect(fs.existsSync('s3:')).toBe(false);
  });
});
