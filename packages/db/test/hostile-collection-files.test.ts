import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorruptDataError, Database, Dataset } from '@vego/db';

// Fuzz finding: `_doc_id` is read from the collection's dataset and sizes every in-memory column and
// the index (ids are dense). A row claiming 2^31 − 1 made the open allocate until the process was
// killed; 100,000,000 took 45 s and 3.5 GB before a RangeError from the index. Lance pages carry no
// checksum, so such a value reads fine: the open must refuse an id no index of this dimension holds.
describe('a collection whose dataset holds a hostile _doc_id', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-doc-ids-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes a small collection, then rewrites its dataset with row 1's `_doc_id` set to `docId`. */
  async function withDocId(docId: number): Promise<void> {
    const db = await Database.open(dir);
    const c = await db.createCollection('notes', { dimension: 4, distance: 'l2' });
    await c.insertMany(Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, vector: [i, 1, 0, 0], text: `t${i}` })));
    await db.close();
    const datasetDir = path.join(dir, 'notes.lance');
    const table = Dataset.openSync(datasetDir).toTableSync();
    const batch = table.batches[0]!;
    (batch.columns[batch.schema.fieldIndex('_doc_id')] as unknown as { values: Int32Array }).values[1] = docId;
    Dataset.createSync(datasetDir, table, { mode: 'overwrite' });
  }

  it.each([2 ** 31 - 1, 100_000_000])('refuses _doc_id %d with CorruptDataError before allocating for it', async (docId) => {
    await withDocId(docId);
    const db = await Database.open(dir);
    const started = Date.now();
    await expect(db.openCollection('notes')).rejects.toThrow(CorruptDataError);
    await expect(db.openCollection('notes')).rejects.toThrow(new RegExp(`'k1' has _doc_id ${docId}; a collection of dimension 4 holds ids below \\d+`));
    expect(Date.now() - started).toBeLessThan(5000);
    await db.close();
  });

  it('still opens a collection whose ids have gaps below the limit', async () => {
    await withDocId(1000);
    const db = await Database.open(dir);
    const c = await db.openCollection('notes');
    expect(c.size).toBe(5);
    expect((await c.search([1, 1, 0, 0], 1))[0]!.key).toBe('k1');
    await db.close();
  });
});

// Fuzz finding: the full-text settings of a collection are JSON in its text index's commit row;
// opening the collection parsed them unchecked, so a damaged byte threw a plain SyntaxError.
describe('a collection whose saved full-text settings are damaged', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-text-settings-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['broken JSON', (json: string) => json.replace(':', ' ')],
    ['a JSON array', (json: string) => `[${'0'.padEnd(json.length - 2, ' ')}]`],
  ])('refuses %s in tokenizer_options with CorruptDataError naming the folder', async (_what, damage) => {
    const db = await Database.open(dir);
    const c = await db.createCollection('docs', { dimension: 2, fullText: { stemming: true } });
    await c.insert({ key: 'a', vector: [1, 0], text: 'hello world' });
    await db.close();
    // A new version of commits.lance whose row holds the damaged JSON, of the same byte length.
    const commitsDir = path.join(dir, 'docs.text', 'commits.lance');
    const table = Dataset.openSync(commitsDir).toTableSync();
    const batch = table.batches[table.batches.length - 1]!; // the last row is the commit
    const column = batch.columns[batch.schema.fieldIndex('tokenizer_options')]!;
    const bytes = (column.data as unknown as { values: Uint8Array }).values;
    const json = String(column.get(batch.numRows - 1));
    const damaged = new TextEncoder().encode(damage(json));
    expect(damaged.length).toBe(json.length);
    bytes.set(damaged, bytes.length - damaged.length);
    Dataset.createSync(commitsDir, table, { mode: 'overwrite' });

    const again = await Database.open(dir);
    await expect(again.openCollection('docs')).rejects.toThrow(CorruptDataError);
    await expect(again.openCollection('docs')).rejects.toThrow(/saved text index '.*docs\.text': commit `tokenizer_options` is invalid/);
    await again.close();
  });
});

