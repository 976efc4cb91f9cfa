/**
 * A take reads columns of different widths over runs of their own (a narrow column reads through
 * gaps a wide one splits at): whatever the grouping, every column of every requested row comes back
 * in the order asked, against a full scan of the same version.
 */
import * as path from 'node:path';
import { Dataset, Field, FixedSizeList, Float32, Int32, RecordBatch, Schema, Utf8, vectorFromTypedArray, makeBuilder } from '@vego/io';
import type { Vector } from '@vego/io';
import { seededRandom } from '../../../test-support/random';
import { makeTempDir, removeDir } from './fixtures/helpers';

const DIM = 32;

function batchOf(schema: Schema, from: number, n: number, rnd: () => number): RecordBatch {
  const ids = Int32Array.from({ length: n }, (_, i) => from + i);
  const values = Float32Array.from({ length: n * DIM }, () => rnd());
  const vectors = makeBuilder(schema.field('vector')!.type) as unknown as { append(v: unknown): unknown; finish(): Vector };
  for (let i = 0; i < n; i++) vectors.append(Array.from(values.subarray(i * DIM, (i + 1) * DIM)));
  const texts = makeBuilder(new Utf8()) as unknown as { append(v: unknown): unknown; finish(): Vector };
  for (let i = 0; i < n; i++) texts.append(i % 7 === 0 ? null : `text ${from + i} ${'x'.repeat(i % 13)}`);
  return new RecordBatch(schema, [vectorFromTypedArray(ids), vectors.finish(), texts.finish()]);
}

describe.each(['2.0', '2.2'] as const)('take of columns of different widths (Lance %s)', (version) => {
  let root: string;
  beforeAll(() => (root = makeTempDir(`take-widths-${version}`)));
  afterAll(() => removeDir(root));

  it('gives every requested row of every column, in the order asked, as a scan does', async () => {
    const schema = new Schema([
      new Field('id', new Int32(), false),
      new Field('vector', new FixedSizeList(new Field('item', new Float32(), false), DIM), false),
      new Field('text', new Utf8(), true),
    ]);
    const rnd = seededRandom(5);
    let ds = Dataset.createSync(path.join(root, 'ds'), batchOf(schema, 0, 3000, rnd), { storageVersion: version });
    ds = ds.appendSync(batchOf(schema, 3000, 2500, rnd));
    ds = ds.deleteRowsSync([10, 11, 2999, 3000, 4000]);
    const all = ds.toTableSync();
    const rows = all.numRows;
    const column = (name: string): unknown[] => all.batches.flatMap((b) => b.column(name).toArray() as unknown[]);
    const want = { id: column('id'), vector: column('vector').map((v) => Array.from(v as Float32Array)), text: column('text') };
    // Scattered and clustered positions, repeated positions, both fragments, first and last rows.
    const positions = [rows - 1, 0, 5, 6, 7, 1500, 2990, 2995, 3001, 3002, 4500, 5, 100, 101, 2000, 3500, rows - 2];
    for (let k = 0; k < 200; k++) positions.push(Math.floor(rnd() * rows));
    for (const columns of [['vector', 'id'], ['text', 'vector', 'id'], ['text'], ['id', 'vector', 'text']]) {
      for (const taken of [ds.takeSync(positions, { columns }), await ds.take(positions, { columns })]) {
        expect(taken.numRows).toBe(positions.length);
        expect(taken.schema.fields.map((f) => f.name)).toEqual(columns);
        columns.forEach((name, c) => {
          const got = taken.columnAt(c).toArray() as unknown[];
          const expected = positions.map((p) => want[name as keyof typeof want][p]);
          expect(name === 'vector' ? got.map((v) => Array.from(v as Float32Array)) : got).toEqual(expected);
        });
      }
    }
    ds.closeSync();
  });
});
