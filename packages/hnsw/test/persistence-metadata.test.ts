/**
 * Regression tests of the metadata row of a saved index (issue 12, fuzz target `index:hnsw` seed
 * 2522037994, mutations `byteset@3388=0; u32@1059-1`): damage in `metadata.lance` loaded silently
 * with `efConstruction` 32 turned into the default 200. Every field is now required and checked,
 * nothing falls back to a default, and the row carries a checksum.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, Dataset, HNSW, METADATA_SCHEMA } from '@vego/hnsw';
import { decodeManifest, encodeManifest } from '@vego/format';
import { metadataChecksum } from '../src/persistence/metadata-row';
import { clustered } from './fixtures/data';
import { makeTempDir, removeDir } from './fixtures/persistence-helpers';

const FIXTURE = path.join(__dirname, 'fixtures', 'saved-v1');
const DIM = 4;

let root: string;
beforeAll(() => {
  root = makeTempDir('persist-meta');
});
afterAll(() => removeDir(root));

/** A saved index of 40 vectors with efConstruction 32 (not the default 200), in a fresh directory. */
function saved(name: string): string {
  const index = new HNSW({ dimension: DIM, M: 4, efConstruction: 32 });
  index.addBatch(clustered(40, DIM, 3, 7));
  const dir = path.join(root, name);
  index.saveToLanceSync(dir);
  return dir;
}

function lastRow(dir: string): Record<string, unknown> {
  const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
  const b = meta.toTableSync({ offset: meta.countRows() - 1, limit: 1 }).batches[0]!;
  return Object.fromEntries(meta.schema.fields.map((f) => [f.name, b.column(f.name).get(0)]));
}

/** Appends the last row with `patch`; its checksum recomputed when `reseal` (a deliberate edit), else kept (damage). */
function appendRow(dir: string, patch: Record<string, unknown>, reseal: boolean): void {
  const row = { ...lastRow(dir), ...patch };
  if (reseal) row.checksum = metadataChecksum(row);
  Dataset.createSync(path.join(dir, 'metadata.lance'), [row], { mode: 'append', schema: METADATA_SCHEMA });
}

/** The config JSON of the last row with `edit` applied. */
function configWith(dir: string, edit: (c: Record<string, unknown>) => void): string {
  const c = JSON.parse(lastRow(dir).config as string) as Record<string, unknown>;
  edit(c);
  return JSON.stringify(c);
}

describe('issue 12 fuzz (index:hnsw seed 2522037994): damaged metadata never loads with a default', () => {
  it('saves a checksum with every metadata row and loads the exact configuration', () => {
    const dir = saved('exact');
    const row = lastRow(dir);
    expect(typeof row.checksum).toBe('bigint');
    expect(row.checksum).toBe(metadataChecksum(row));
    expect(HNSW.loadFromLanceSync(dir).config).toMatchObject({ dimension: DIM, M: 4, efConstruction: 32, distance: 'l2' });
  });

  it('refuses a byte changed in the stored row (efConstruction 32 → 22 in the data file) by its checksum', () => {
    const dir = saved('bytes');
    const data = path.join(dir, 'metadata.lance', 'data');
    const file = path.join(data, fs.readdirSync(data)[0]!);
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('"efConstruction":32');
    expect(at).toBeGreaterThan(0);
    bytes[at + '"efConstruction":'.length] = '2'.charCodeAt(0);
    fs.writeFileSync(file, bytes);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/metadata `checksum`: expected 0x[0-9a-f]{16} \(computed from the row's fields\), found 0x/);
  });

  it('refuses a row whose fields changed without its checksum', async () => {
    const dir = saved('unsealed');
    appendRow(dir, { ef_construction: 200, config: configWith(dir, (c) => (c.efConstruction = 200)) }, false);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/metadata `checksum`/);
    await expect(HNSW.loadFromLance(dir)).rejects.toThrow(CorruptDataError);
  });

  // Each case is a consistent row (checksum recomputed), so the field check itself is what fails.
  const cases: [string, (dir: string) => Record<string, unknown>, RegExp][] = [
    ['a missing config key', (d) => ({ config: configWith(d, (c) => delete c.efConstruction) }), /metadata `config.efConstruction`: expected a value, found none/],
    ['a damaged config key', (d) => ({ config: configWith(d, (c) => { c.efConstructiom = c.efConstruction; delete c.efConstruction; }) }), /metadata `config` key 'efConstructiom'/],
    ['an out-of-range config value', (d) => ({ config: configWith(d, (c) => (c.efConstruction = 0)) }), /metadata `config` is invalid: `efConstruction`/],
    ['a config value of the wrong type', (d) => ({ config: configWith(d, (c) => (c.efConstruction = '32')) }), /`efConstruction` must be a positive integer/],
    ['a config that is not JSON', () => ({ config: '{"dimension":4,' }), /metadata `config`: expected JSON/],
    ['ef_construction disagreeing with config', () => ({ ef_construction: 200 }), /metadata `ef_construction`: expected 32 \(from config\), found 200/],
    ['m disagreeing with config', () => ({ m: 16 }), /metadata `m`: expected 4 \(from config\), found 16/],
    ['distance disagreeing with config', () => ({ distance: 'cosine' }), /metadata `distance`: expected 'l2' \(from config\), found 'cosine'/],
    ['dimension disagreeing with config', () => ({ dimension: 5 }), /metadata `dimension`: expected 4 \(from config\)/],
    ['num_live above num_ids', () => ({ num_live: 41 }), /metadata `num_live`: expected at most num_ids = 40, found 41/],
    ['a negative num_ids', () => ({ num_ids: -1 }), /metadata `num_ids`: expected a non-negative integer, found -1/],
    ['an entry point below −1', () => ({ entry_point: -2 }), /metadata `entry_point`: expected a node id or −1, found -2/],
    ['a max level below −1', () => ({ max_level: -5 }), /metadata `max_level`: expected a level or −1, found -5/],
    ['a non-finite saved_at', () => ({ saved_at: Number.NaN }), /metadata `saved_at`: expected a finite time, found NaN/],
  ];
  for (const [what, patch, message] of cases) {
    it(`refuses ${what} with CorruptDataError naming the field`, () => {
      const dir = saved(`field-${what.replace(/[^a-z]+/g, '-')}`);
      appendRow(dir, patch(dir), true);
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(message);
    });
  }
});

describe('issue 12 fuzz (index:hnsw seed 3345565752): a metadata fragment claiming 0 rows', () => {
  it('is checked against its data file instead of loading the previous commit', async () => {
    const index = new HNSW({ dimension: DIM, M: 4, efConstruction: 32 });
    index.addBatch(clustered(40, DIM, 3, 7));
    const dir = path.join(root, 'zero-claim');
    index.saveToLanceSync(dir);
    index.delete(3);
    index.saveToLanceSync(dir); // appends the second commit row as fragment 1 of metadata.lance
    expect(Dataset.openSync(path.join(dir, 'metadata.lance')).numFragments).toBe(2);
    expect(HNSW.loadFromLanceSync(dir).has(3)).toBe(false);
    const versions = path.join(dir, 'metadata.lance', '_versions');
    const manifest = path.join(versions, fs.readdirSync(versions).sort()[0]!); // v2 names: newest sorts first
    const m = decodeManifest(fs.readFileSync(manifest));
    expect(m.fragments.length).toBe(2);
    m.fragments[1]!.physicalRows = 0;
    fs.writeFileSync(manifest, encodeManifest(m));
    // Before the fix: the first commit row loaded, with id 3 alive again.
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/of fragment 1 \(version \d+\): expected 0 rows \(from the manifest\), found 1/);
    await expect(HNSW.loadFromLance(dir)).rejects.toThrow(CorruptDataError);
  });
});

describe('saves without the metadata checksum (earlier builds)', () => {
  it('load unverified, and the next save rewrites the metadata with a checksum', () => {
    const dir = path.join(root, 'old-copy');
    fs.cpSync(FIXTURE, dir, { recursive: true });
    const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
    expect(meta.schema.field('checksum')).toBeNull();
    const index = HNSW.loadFromLanceSync(dir);
    expect(index.config).toMatchObject({ efConstruction: 40, quantization: 'none' });
    index.add(clustered(1, 8, 1, 9));
    index.saveToLanceSync(dir);
    const after = Dataset.openSync(path.join(dir, 'metadata.lance'));
    expect(after.schema.field('checksum')).not.toBeNull();
    expect(after.countRows()).toBe(1);
    const reloaded = HNSW.loadFromLanceSync(dir);
    expect(reloaded.numIds).toBe(index.numIds);
    expect(reloaded.config).toEqual(index.config);
  });
});
