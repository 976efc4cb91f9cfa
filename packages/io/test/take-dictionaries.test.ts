/**
 * A take across fragments joins each fragment's rows of a dictionary column, and each fragment has its
 * own dictionary: end to end, they may outgrow the index type (found by the LanceDB differential test:
 * indices shifted past 255 wrapped around Uint8 and named other values, or failed as out of range).
 */
import * as path from 'node:path';
import { Dataset, Dictionary, Field, RecordBatch, Schema, Uint8, Utf8, makeBuilder } from '@vego/io';
import type { Vector } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

describe.each(['2.0', '2.2'] as const)('take of a dictionary column across fragments (Lance %s)', (version) => {
  let root: string;
  beforeAll(() => (root = makeTempDir(`take-dict-${version}`)));
  afterAll(() => removeDir(root));

  it('reads the values of every fragment when their dictionaries together outgrow the index type', () => {
    const type = new Dictionary(new Utf8(), new Uint8());
    const schema = new Schema([new Field('d', type)]);
    const batch = (tag: string): RecordBatch => {
      const b = makeBuilder(type) as unknown as { append(v: unknown): unknown; finish(): Vector };
      for (let k = 0; k < 200; k++) b.append(`${tag}${k}`);
      return new RecordBatch(schema, [b.finish()]);
    };
    const dir = path.join(root, 'ds');
    const ds = Dataset.createSync(dir, batch('a'), { storageVersion: version }).appendSync(batch('b'));
    const rows = [260, 5, 399, 199, 200];
    expect(ds.takeSync(rows).column('d').toArray()).toEqual(['b60', 'a5', 'b199', 'a199', 'b0']);
    ds.closeSync();
  });
});
