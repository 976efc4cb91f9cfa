import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, NotFoundError } from '@vego/io';
import { listVersionFiles, manifestFileName, parseManifestFileName } from '../src/internal/manifest-names';
import { makeTempDir, removeDir } from './fixtures/helpers';

describe('manifest file names', () => {
  it('names versions in V1 and V2 naming as Lance does', () => {
    expect(manifestFileName(1, 'v1')).toBe('1.manifest');
    expect(manifestFileName(1, 'v2')).toBe('18446744073709551614.manifest');
    expect(manifestFileName(2, 'v2')).toBe('18446744073709551613.manifest');
    expect(manifestFileName(0, 'v2')).toBe('18446744073709551615.manifest');
  });

  it('parses both namings and ignores other files', () => {
    expect(parseManifestFileName('18446744073709551614.manifest')).toEqual({ version: 1, fileName: '18446744073709551614.manifest', naming: 'v2' });
    expect(parseManifestFileName('12.manifest')).toEqual({ version: 12, fileName: '12.manifest', naming: 'v1' });
    for (let v = 1; v < 2000; v += 97) {
      expect(parseManifestFileName(manifestFileName(v, 'v2'))!.version).toBe(v);
      expect(parseManifestFileName(manifestFileName(v, 'v1'))!.version).toBe(v);
    }
    expect(parseManifestFileName('_latest.manifest')).toBeNull();
    expect(parseManifestFileName('latest_version_hint.json')).toBeNull();
    expect(parseManifestFileName('.3.manifest.123.ab.tmp')).toBeNull();
    expect(parseManifestFileName('99999999999999999999.manifest')).toBeNull(); // > u64::MAX
  });

  it('lists versions oldest first and reports missing or duplicated versions', () => {
    const dir = makeTempDir('names');
    try {
      expect(() => listVersionFiles(path.join(dir, 'nope'))).toThrow(NotFoundError);
      expect(() => listVersionFiles(path.join(dir, 'nope'))).toThrow(/does not exist/);
      expect(() => listVersionFiles(dir)).toThrow(/not a Lance dataset/);
      fs.mkdirSync(path.join(dir, '_versions'));
      for (const v of [3, 1, 2]) fs.writeFileSync(path.join(dir, '_versions', manifestFileName(v, 'v2')), '');
      fs.writeFileSync(path.join(dir, '_versions', 'latest_version_hint.json'), '{}');
      expect(listVersionFiles(dir).map((f) => f.version)).toEqual([1, 2, 3]);
      fs.writeFileSync(path.join(dir, '_versions', '2.manifest'), '');
      expect(() => listVersionFiles(dir)).toThrow(CorruptDataError);
    } finally {
      removeDir(dir);
    }
  });
});
