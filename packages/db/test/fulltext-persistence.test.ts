import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import {
  CorruptDataError,
  Dataset,
  InvalidArgumentError,
  NotFoundError,
  TEXT_COMMITS_DATASET,
  TEXT_COMMITS_SCHEMA,
  TEXT_DOCS_DATASET,
  TEXT_TERMS_DATASET,
  TextIndex,
  UnsupportedVersionError,
  loadTextIndex,
  loadTextIndexSync,
  saveTextIndex,
  saveTextIndexSync,
  type Tokenizer,
} from '@vego/db';
import { recordBatchFromRows } from '@vego/io';
import { seededRandom } from './fixtures/fulltext-corpus';
import { applyTextStep, initialTextIndex, textIndexState } from './fixtures/fulltext-steps';

const SAVER = path.join(__dirname, 'fixtures', 'fulltext-saver.cjs');
const QUERIES = ['w0 w1', 'w3 w40 w77', 'w120 w5', 'step3 extra7 w2', 'w499 w250 w9'];

function expectSameSearches(a: TextIndex, b: TextIndex): void {
  for (const q of QUERIES) expect(b.search(q, 20)).toEqual(a.search(q, 20));
}

/** Appends a commit row to `commits.lance` copying the last one with `patch` applied. */
function appendCommit(dir: string, patch: Record<string, unknown>): void {
  const ds = Dataset.openSync(path.join(dir, TEXT_COMMITS_DATASET));
  const batch = ds.toTableSync({ offset: ds.countRows() - 1, limit: 1 }).batches[0]!;
  const row: Record<string, unknown> = {};
  for (const f of TEXT_COMMITS_SCHEMA.fields) row[f.name] = batch.column(f.name).get(0);
  Dataset.createSync(ds.path, recordBatchFromRows([{ ...row, ...patch }], TEXT_COMMITS_SCHEMA), { mode: 'append', schema: TEXT_COMMITS_SCHEMA });
}

describe('saveTextIndex / loadTextIndex', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-fts-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('round-trips: the loaded index has the same documents, terms, parameters and scores', () => {
    const dir = path.join(root, 'roundtrip');
    const index = initialTextIndex();
    const result = saveTextIndexSync(index, dir);
    expect(result).toMatchObject({ rewritten: true, docRowsWritten: 150, termRowsWritten: index.numTerms, docRowsDeleted: 0 });
    const back = loadTextIndexSync(dir);
    expect(textIndexState(back)).toBe(textIndexState(index));
    expect(back.numTerms).toBe(index.numTerms);
    expect(back.params).toEqual(index.params);
    expect(back.tokenizer.id).toBe(index.tokenizer.id);
    expect(back.tokenizer.tokenize('The Running Indexes')).toEqual(['run', 'index']);
    expectSameSearches(index, back);
    // Text hashes survive, so a reopened collection can tell which texts changed.
    const any = index.termsOf(10);
    expect(any.length).toBeGreaterThan(0);
    back.update(10, 'exactly this text');
    saveTextIndexSync(back, dir);
    expect(loadTextIndexSync(dir).hasText(10, 'exactly this text')).toBe(true);
    expect(loadTextIndexSync(dir).hasText(10, 'exactly this text!')).toBe(false);
  });

  it('saves incrementally: only changed documents and new terms are written, superseded rows deleted', async () => {
    const dir = path.join(root, 'incremental');
    const index = initialTextIndex();
    saveTextIndexSync(index, dir);
    const termsBefore = index.numTerms;
    index.update(3, 'brandnewword w1');
    index.remove(4);
    index.add(300, 'w1 w2 anothernewword');
    const r = await saveTextIndex(index, dir);
    expect(r).toMatchObject({ rewritten: false, docRowsWritten: 2, docRowsDeleted: 2, termRowsWritten: index.numTerms - termsBefore });
    expect(index.numTerms - termsBefore).toBe(2);
    // Each version the commit names holds exactly one live row per document.
    expect(Dataset.openSync(path.join(dir, TEXT_DOCS_DATASET), { version: r.docsVersion }).countRows()).toBe(index.size);
    const back = await loadTextIndex(dir);
    expect(textIndexState(back)).toBe(textIndexState(index));
    expectSameSearches(index, back);
    // Nothing changed: nothing written, the same versions.
    const same = saveTextIndexSync(index, dir);
    expect(same).toMatchObject({ termsVersion: r.termsVersion, docsVersion: r.docsVersion, commitsVersion: r.commitsVersion, docRowsWritten: 0 });
    // A loaded index saves incrementally too.
    back.update(5, 'w9');
    expect(saveTextIndexSync(back, dir)).toMatchObject({ rewritten: false, docRowsWritten: 1, docRowsDeleted: 1, termRowsWritten: 0 });
    expect(textIndexState(loadTextIndexSync(dir))).toBe(textIndexState(back));
  });

  it('stays exact over many incremental saves and reloads, and compacts when deletions pile up', () => {
    const dir = path.join(root, 'many');
    let index = initialTextIndex();
    saveTextIndexSync(index, dir);
    let rewrites = 0;
    for (let s = 1; s <= 40; s++) {
      applyTextStep(index, s);
      const r = saveTextIndexSync(index, dir, { compactionThreshold: 0.1 });
      if (r.rewritten) rewrites++;
      if (s % 10 === 0) {
        const back = loadTextIndexSync(dir);
        expect(textIndexState(back)).toBe(textIndexState(index));
        expectSameSearches(index, back);
        index = back; // go on from the loaded copy
      }
    }
    expect(rewrites).toBeGreaterThan(0);
    expect(rewrites).toBeLessThan(40);
  });

  it('rewrites whole when the datasets moved on since its last save, or with full', () => {
    const dir = path.join(root, 'moved');
    const a = initialTextIndex();
    saveTextIndexSync(a, dir);
    const b = loadTextIndexSync(dir);
    b.update(1, 'from b');
    saveTextIndexSync(b, dir);
    a.update(2, 'from a');
    expect(saveTextIndexSync(a, dir).rewritten).toBe(true);
    expect(textIndexState(loadTextIndexSync(dir))).toBe(textIndexState(a));
    expect(saveTextIndexSync(a, dir, { full: true }).rewritten).toBe(true);
  });

  it('keeps positions: phrase queries answer alike after a reload and incremental saves', () => {
    const dir = path.join(root, 'positions');
    const index = new TextIndex({ positions: true });
    index.add(0, 'the quick brown fox jumps over the lazy dog');
    index.add(1, 'a brown fox, quick and brown');
    index.add(2, 'quick brown foxes');
    saveTextIndexSync(index, dir);
    index.update(2, 'quick brown fox quick brown fox');
    index.remove(1);
    saveTextIndexSync(index, dir);
    const back = loadTextIndexSync(dir);
    expect(back.positions).toBe(true);
    expect(back.positionsOf(0)).toEqual(index.positionsOf(0));
    expect(back.searchPhrase('quick brown fox', 5)).toEqual(index.searchPhrase('quick brown fox', 5));
    expect(back.searchPhrase('quick brown fox', 5).map((h) => h.id)).toEqual([2, 0]);
    // An index without positions saves empty lists and loads without them.
    const plain = new TextIndex();
    plain.add(0, 'a b');
    saveTextIndexSync(plain, path.join(root, 'no-positions'));
    expect(loadTextIndexSync(path.join(root, 'no-positions')).positions).toBe(false);
  });

  it('checks the total length exactly (regression: 7 documents of 29 terms, where 29 / 7 · 7 ≠ 29 in floating point)', () => {
    const dir = path.join(root, 'total-length');
    const index = new TextIndex();
    const lengths = [5, 4, 4, 4, 4, 4, 4]; // 29 terms
    lengths.forEach((n, id) => index.add(id, Array.from({ length: n }, (_, j) => `t${j}`).join(' ')));
    expect(index.totalDocLength).toBe(29);
    expect((index.totalDocLength / index.size) * index.size).not.toBe(29);
    saveTextIndexSync(index, dir);
    expect(loadTextIndexSync(dir).totalDocLength).toBe(29);
  });

  it('saves and loads an empty index', () => {
    const dir = path.join(root, 'empty');
    saveTextIndexSync(new TextIndex(), dir);
    const back = loadTextIndexSync(dir);
    expect(back.size).toBe(0);
    expect(back.search('anything', 5)).toEqual([]);
    back.add(0, 'now something');
    saveTextIndexSync(back, dir);
    expect(loadTextIndexSync(dir).search('something', 5).map((h) => h.id)).toEqual([0]);
  });

  it('needs the custom tokenizer it was saved with', () => {
    const dir = path.join(root, 'custom');
    const chars: Tokenizer = { id: 'chars/1', tokenize: (s) => [...s] };
    const index = new TextIndex({ tokenizer: chars, k1: 1.5, b: 0.5 });
    index.add(0, 'abc');
    saveTextIndexSync(index, dir);
    expect(() => loadTextIndexSync(dir)).toThrow(InvalidArgumentError);
    expect(() => loadTextIndexSync(dir, { tokenizer: { id: 'other', tokenize: (s) => [s] } })).toThrow(/saved with 'chars\/1'/);
    const back = loadTextIndexSync(dir, { tokenizer: chars });
    expect(back.params).toEqual({ k1: 1.5, b: 0.5 });
    expect(back.search('c', 1).map((h) => h.id)).toEqual([0]);
  });

  it('reports a missing index, a newer format and inconsistent commits with typed errors', () => {
    expect(() => loadTextIndexSync(path.join(root, 'nothing-here'))).toThrow(NotFoundError);
    expect(() => loadTextIndexSync('')).toThrow(InvalidArgumentError);
    const dir = path.join(root, 'corrupt');
    const index = initialTextIndex();
    saveTextIndexSync(index, dir);
    appendCommit(dir, { num_docs: 151 });
    expect(() => loadTextIndexSync(dir)).toThrow(CorruptDataError);
    appendCommit(dir, { num_docs: 150, docs_version: 99 });
    expect(() => loadTextIndexSync(dir)).toThrow(/docs.lance version 99/);
    appendCommit(dir, { docs_version: 1, total_length: 1 });
    expect(() => loadTextIndexSync(dir)).toThrow(CorruptDataError);
    appendCommit(dir, { tokenizer: 'vego-words/1;stop=none;stem=none;max=64' });
    expect(() => loadTextIndexSync(dir)).toThrow(CorruptDataError);
    appendCommit(dir, { format_version: 2 });
    expect(() => loadTextIndexSync(dir)).toThrow(UnsupportedVersionError);
  });

  it('detects a document row naming a term id outside the dictionary', () => {
    const dir = path.join(root, 'bad-term');
    const index = new TextIndex();
    index.add(0, 'alpha beta');
    saveTextIndexSync(index, dir);
    const docs = path.join(dir, TEXT_DOCS_DATASET);
    const bad = recordBatchFromRows([{ doc_id: 0, term_ids: [0, 7], tfs: [1, 1], text_hash: 0, positions: [] }], Dataset.openSync(docs).schema);
    const v = Dataset.createSync(docs, bad, { mode: 'overwrite' }).version;
    appendCommit(dir, { docs_version: v });
    expect(() => loadTextIndexSync(dir)).toThrow(/term id: expected 0 to 1, found 7/);
  });

  it('detects positions that are out of range or repeated', () => {
    const dir = path.join(root, 'bad-positions');
    const index = new TextIndex({ positions: true });
    index.add(0, 'alpha beta alpha');
    saveTextIndexSync(index, dir);
    const docs = path.join(dir, TEXT_DOCS_DATASET);
    for (const positions of [[0, 2, 9], [0, 0, 1], [2, 0, 1]]) {
      const bad = recordBatchFromRows([{ doc_id: 0, term_ids: [0, 1], tfs: [2, 1], text_hash: 0, positions }], Dataset.openSync(docs).schema);
      const v = Dataset.createSync(docs, bad, { mode: 'overwrite' }).version;
      appendCommit(dir, { docs_version: v });
      expect(() => loadTextIndexSync(dir)).toThrow(CorruptDataError);
    }
  });

  it('writes tables LanceDB opens: terms, docs and commits with the same rows', async () => {
    const dir = path.join(root, 'lancedb');
    const index = initialTextIndex();
    saveTextIndexSync(index, dir);
    index.update(7, 'lancedb sees this update');
    index.remove(8);
    saveTextIndexSync(index, dir);
    const db = await lancedb.connect(dir);
    expect((await db.tableNames()).sort()).toEqual(['commits', 'docs', 'terms']);
    const terms = await db.openTable('terms');
    expect(await terms.countRows()).toBe(index.numTerms);
    const docs = await db.openTable('docs');
    expect(await docs.countRows()).toBe(index.size);
    const termRows = (await terms.query().toArray()) as { term_id: number; term: string }[];
    const termOf = new Map(termRows.map((r) => [r.term_id, r.term]));
    const row = (await docs.query().where('doc_id = 7').toArray())[0] as { term_ids: { toArray(): Int32Array }; tfs: { toArray(): Int32Array } };
    const ids = Array.from(row.term_ids.toArray());
    const tfs = Array.from(row.tfs.toArray());
    expect(ids.map((t, i) => [termOf.get(t), tfs[i]])).toEqual(index.termsOf(7));
    expect(await docs.countRows('doc_id = 8')).toBe(0);
    const commits = await db.openTable('commits');
    const last = (await commits.query().toArray()).pop() as { num_docs: number; docs_version: number };
    expect(last.num_docs).toBe(index.size);
    // Positions are a list column LanceDB reads too.
    const posDir = path.join(root, 'lancedb-positions');
    const withPositions = new TextIndex({ positions: true });
    withPositions.add(3, 'b a b');
    saveTextIndexSync(withPositions, posDir);
    const posRow = (await (await (await lancedb.connect(posDir)).openTable('docs')).query().toArray())[0] as { positions: { toArray(): Int32Array } };
    expect(Array.from(posRow.positions.toArray())).toEqual([0, 2, 1]); // 'b' at 0 and 2, then 'a' at 1
  });

  it('loads exactly one of the saved states after a SIGKILL at a random point of repeated saves', async () => {
    const rand = seededRandom(29);
    const states: string[] = [];
    const replay = initialTextIndex();
    states.push(textIndexState(replay));
    for (let round = 0; round < 3; round++) {
      const dir = path.join(root, `kill-${round}`);
      const child = spawn(process.execPath, [SAVER, dir, '10000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      // Wait for a few saves, then kill at a random moment within the next ones.
      const target = 3 + Math.floor(rand() * 10);
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if ((out.match(/saved/g) ?? []).length >= target) {
            clearInterval(poll);
            setTimeout(resolve, Math.floor(rand() * 40));
          }
        }, 2);
      });
      child.kill('SIGKILL');
      await exited;
      const saved = (out.match(/saved (\d+)/g) ?? []).map((m) => Number(m.slice(6)));
      const last = saved[saved.length - 1]!;
      while (states.length <= last + 1) {
        applyTextStep(replay, states.length);
        states.push(textIndexState(replay));
      }
      const loaded = textIndexState(loadTextIndexSync(dir));
      // The last save reported done, or the one after it (killed after its commit, before printing).
      expect([states[last], states[last + 1]]).toContain(loaded);
    }
  });
});
