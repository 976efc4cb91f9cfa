import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { COLLECTION_FORMAT_VERSION, CONFIG_METADATA_KEY, Database, Dataset } from '@vego/db';

/**
 * `fixtures/format-1-dates` was written by @vego/db's collection-format-1 code (the layout before format 2):
 * collection `events` (4-d, l2; fields at: date, kind: string, n: integer), 12 documents inserted
 * in batches of 5, `e7` deleted, `e2` updated; its `at` column is int64 milliseconds.
 */
const FIXTURE = path.join(__dirname, 'fixtures', 'format-1-dates');
const DATES: [string, string | null][] = [
  ['e0', '1965-01-01T00:00:00.000Z'], ['e1', '1970-02-02T01:07:00.123Z'], ['e2', '1975-03-03T02:14:00.246Z'],
  ['e3', '1980-04-04T03:21:00.369Z'], ['e4', null], ['e5', '1990-06-06T05:35:00.615Z'], ['e6', '1995-07-07T06:42:00.738Z'],
  ['e8', '2005-09-09T08:56:00.984Z'], ['e9', null], ['e10', '2015-11-11T10:10:00.230Z'], ['e11', '2020-12-12T11:17:00.353Z'],
];

function columnType(datasetDir: string, name: string): string {
  const ds = Dataset.openSync(datasetDir);
  try {
    return ds.schema.fields[ds.schema.fieldIndex(name)]!.type.toString();
  } finally {
    ds.closeSync();
  }
}

function formatVersionOf(datasetDir: string): number {
  const ds = Dataset.openSync(datasetDir);
  try {
    return (JSON.parse(ds.schema.metadata.get(CONFIG_METADATA_KEY)!) as { formatVersion: number }).formatVersion;
  } finally {
    ds.closeSync();
  }
}

async function datesOf(dir: string): Promise<[string, string | null][]> {
  const db = await Database.open(dir);
  const c = await db.openCollection('events');
  const docs = await c.query({ select: ['at'] });
  await db.close();
  return docs.map((d) => [d.key, d.metadata['at'] === null ? null : (d.metadata['at'] as Date).toISOString()] as [string, string | null])
    .sort((a, b) => Number(a[0].slice(1)) - Number(b[0].slice(1)));
}

describe('collections of format 1 (dates as int64 milliseconds)', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-format1-'));
    dir = path.join(root, 'db');
    fs.cpSync(FIXTURE, dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('open and read every date exactly, filter and search them, and keep int64 dates on writes', async () => {
    expect(columnType(path.join(dir, 'events.lance'), 'at')).toBe('Int64');
    expect(await datesOf(dir)).toEqual(DATES);
    const db = await Database.open(dir);
    const c = await db.openCollection('events');
    expect(c.schema).toEqual({ at: 'date', kind: 'string', n: 'integer' });
    const after = await c.query({ filter: "at >= TIMESTAMP '1990-01-01T00:00:00Z'", select: [] });
    expect(after.map((d) => d.key)).toEqual(['e5', 'e6', 'e8', 'e10', 'e11']);
    expect(await c.count({ at: { $lt: new Date('1970-01-01T00:00:00Z') } })).toBe(1);
    expect((await c.get('e2'))!.metadata).toEqual({ at: new Date('1975-03-03T02:14:00.246Z'), kind: 'changed', n: 2 });
    expect((await c.search([3, 0, 1, -1.5], 1, { select: [] }))[0]!.key).toBe('e3');
    // A write keeps the collection's layout: the new row's date is an int64 too.
    await c.insert({ key: 'e12', vector: [12, 0, 1, -6], metadata: { at: new Date(-1), kind: 'even', n: 12 } });
    await db.close();
    expect(columnType(path.join(dir, 'events.lance'), 'at')).toBe('Int64');
    expect(formatVersionOf(path.join(dir, 'events.lance'))).toBe(1);
    expect(await datesOf(dir)).toEqual([...DATES, ['e12', '1969-12-31T23:59:59.999Z']]);
  });

  it('move to format 2 (timestamp dates) when adding a field rewrites the dataset, with every date kept', async () => {
    const db = await Database.open(dir);
    const c = await db.openCollection('events');
    await c.update('e0', { metadata: { note: 'first' } });
    await db.close();
    const ds = path.join(dir, 'events.lance');
    expect(formatVersionOf(ds)).toBe(COLLECTION_FORMAT_VERSION);
    expect(columnType(ds, 'at')).toBe('Timestamp<ms, UTC>');
    expect(await datesOf(dir)).toEqual(DATES);
    // LanceDB now filters the column as a timestamp.
    const t = await (await lancedb.connect(dir)).openTable('events');
    const keys = (await t.query().where("at >= TIMESTAMP '1990-01-01 00:00:00'").select(['key']).toArray()).map((r: { key: string }) => r.key).sort();
    expect(keys).toEqual(['e10', 'e11', 'e5', 'e6', 'e8']);
  });

  it('new collections store dates as timestamp[ms, UTC]', async () => {
    const db = await Database.open(path.join(root, 'fresh'));
    const c = await db.createCollection('events', { dimension: 2, distance: 'l2', schema: { at: 'date' } });
    await c.insert({ key: 'a', vector: [1, 2], metadata: { at: new Date('2024-02-29T12:00:00.001Z') } });
    await db.close();
    const ds = path.join(root, 'fresh', 'events.lance');
    expect(columnType(ds, 'at')).toBe('Timestamp<ms, UTC>');
    expect(formatVersionOf(ds)).toBe(2);
    const again = await (await Database.open(path.join(root, 'fresh'))).openCollection('events');
    expect((await again.get('a'))!.metadata['at']).toEqual(new Date('2024-02-29T12:00:00.001Z'));
    await again.close();
  });
});
