/**
 * A manifest whose schema disagrees with its data files (found by the fuzz suite: a bit flip in a saved
 * index's metadata manifest made a nullable column non-nullable) is damage: scans give CorruptDataError,
 * not the InvalidArgumentError that RecordBatch throws for nulls in a non-nullable column.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, Dataset, decodeManifest } from '@vego/io';
import { encodeManifest, manifestFileName } from '@vego/format';
import { makeTempDir, removeDir } from './fixtures/helpers';

describe('Dataset scan of a manifest that disagrees with its data files', () => {
  let dir: string;
  beforeAll(() => {
    dir = path.join(makeTempDir('schema-disagreement'), 't.lance');
    Dataset.createSync(dir, Array.from({ length: 10 }, (_, i) => ({ id: i, name: i % 3 === 0 ? null : `n${i}` }))).closeSync();
    const p = path.join(dir, '_versions', manifestFileName(1, 'v2'));
    const m = decodeManifest(fs.readFileSync(p));
    for (const f of m.fields) if (f.name === 'name') f.nullable = false;
    fs.writeFileSync(p, encodeManifest(m));
  });
  afterAll(() => removeDir(path.dirname(dir)));

  it('gives CorruptDataError from scanSync and scan', async () => {
    const ds = Dataset.openSync(dir);
    expect(() => [...ds.scanSync()]).toThrow(CorruptDataError);
    expect(() => [...ds.scanSync()]).toThrow(/not nullable but holds 4 nulls/);
    await expect((async () => {
      for await (const b of ds.scan()) void b;
    })()).rejects.toThrow(CorruptDataError);
    ds.closeSync();
  });
});
