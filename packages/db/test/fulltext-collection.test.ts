import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CollectionTextIndex, CorruptDataError, InvalidArgumentError, TextIndex, loadTextIndexSync, readTextIndexCommitSync, saveTextIndexSync } from '@vego/db';

describe('CollectionTextIndex', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-fts-coll-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('follows add/remove, filters by word bitsets, and saves on flush', async () => {
    const dir = path.join(root, 'follow');
    const texts: (string | null)[] = ['red apples', 'green apples', null, 'red cars'];
    const t = await CollectionTextIndex.open(dir, { tokenizer: { stemming: true } }, texts.length, (id) => texts[id]);
    expect(t.reconciled).toEqual({ added: 3, updated: 0, removed: 0 });
    expect(t.search('apple', 10, null).map((h) => h.docId)).toEqual([0, 1]);
    const only3 = new Uint32Array(1);
    only3[0] = 1 << 3;
    expect(t.search('red', 10, only3).map((h) => h.docId)).toEqual([3]);
    t.add(1, 'blue apples');
    t.add(4, 'red bikes');
    t.remove(0);
    t.remove(99); // absent: no-op
    await t.flush();
    expect(loadTextIndexSync(dir).search('red', 10).map((h) => h.id)).toEqual([3, 4]);
  });

  it('reconciles a saved index with the documents when reopened (a crash between the two commits)', async () => {
    const dir = path.join(root, 'reopen');
    const texts: (string | null)[] = ['alpha one', 'beta two', 'gamma three'];
    const first = await CollectionTextIndex.open(dir, {}, texts.length, (id) => texts[id]);
    await first.flush();
    // The collection committed changes the text index never saw.
    texts[1] = 'beta changed';
    texts[2] = null;
    texts.push('delta four');
    const again = await CollectionTextIndex.open(dir, {}, texts.length, (id) => texts[id]);
    expect(again.rebuilt).toBe(false);
    expect(again.reconciled).toEqual({ added: 1, updated: 1, removed: 1 });
    expect(again.search('changed', 5, null).map((h) => h.docId)).toEqual([1]);
    expect(again.search('gamma', 5, null)).toEqual([]);
    // The reconciled state was saved: a third open has nothing to do.
    const third = await CollectionTextIndex.open(dir, {}, texts.length, (id) => texts[id]);
    expect(third.reconciled).toEqual({ added: 0, updated: 0, removed: 0 });
  });

  it('rebuilds when the saved index has other settings', async () => {
    const dir = path.join(root, 'settings');
    const texts = ['running dogs', 'a dog runs'];
    await CollectionTextIndex.open(dir, {}, texts.length, (id) => texts[id]);
    const stemmed = await CollectionTextIndex.open(dir, { tokenizer: { stemming: true }, k1: 2 }, texts.length, (id) => texts[id]);
    expect(stemmed.rebuilt).toBe(true);
    expect(stemmed.search('run', 5, null).map((h) => h.docId).sort()).toEqual([0, 1]);
    expect(readTextIndexCommitSync(dir)).toMatchObject({ k1: 2, num_docs: 2 });
    expect(readTextIndexCommitSync(path.join(root, 'none'))).toBeNull();
  });

  it('defers saves below saveEvery unless forced', async () => {
    const dir = path.join(root, 'defer');
    const t = await CollectionTextIndex.open(dir, {}, 0, () => null);
    expect(readTextIndexCommitSync(dir)).toMatchObject({ num_docs: 0 }); // saved at once, even empty
    t.saveEvery = 3;
    t.add(0, 'one');
    t.add(1, 'two');
    await t.flush(false);
    expect(readTextIndexCommitSync(dir)).toMatchObject({ num_docs: 0 });
    t.add(2, 'three');
    await t.flush(false);
    expect(readTextIndexCommitSync(dir)).toMatchObject({ num_docs: 3 });
    t.remove(2);
    await t.flush();
    expect(readTextIndexCommitSync(dir)).toMatchObject({ num_docs: 2 });
  });

  it('rebuilds from the documents when the saved index cannot be read', async () => {
    const dir = path.join(root, 'corrupt');
    const texts = ['alpha', 'beta gamma'];
    await CollectionTextIndex.open(dir, {}, texts.length, (id) => texts[id]);
    // Damage: the docs dataset the commit names disappears.
    fs.rmSync(path.join(dir, 'docs.lance'), { recursive: true });
    const again = await CollectionTextIndex.open(dir, {}, texts.length, (id) => texts[id]);
    expect(again.rebuilt).toBe(true);
    expect(again.search('gamma', 5, null).map((h) => h.docId)).toEqual([1]);
    expect(loadTextIndexSync(dir).size).toBe(2);
  });

  it('refuses doc ids past `maxDocId` on load, before sizing anything by them', () => {
    const dir = path.join(root, 'max-doc-id');
    const t = new TextIndex();
    t.add(0, 'alpha');
    t.add(7, 'beta');
    saveTextIndexSync(t, dir);
    expect(loadTextIndexSync(dir, { maxDocId: 7 }).size).toBe(2);
    expect(() => loadTextIndexSync(dir, { maxDocId: 6 })).toThrow(CorruptDataError);
    expect(() => loadTextIndexSync(dir, { maxDocId: 6 })).toThrow(/doc_id.*0 to 6/);
    for (const maxDocId of [-1, 1.5, 2 ** 31]) expect(() => loadTextIndexSync(dir, { maxDocId })).toThrow(InvalidArgumentError);
  });

  it('rebuilds a saved index holding doc ids far past the collection’s instead of loading it', async () => {
    // A saved index whose ids run far past what a collection of 3 documents could have left there
    // (a damaged doc_id; the fuzzed case was 1e8, a fatal out-of-memory while loading).
    const dir = path.join(root, 'far-ids');
    const t = new TextIndex();
    t.add(0, 'alpha');
    t.add(200_000, 'stale');
    saveTextIndexSync(t, dir);
    const texts = ['alpha', 'beta gamma', 'delta'];
    const again = await CollectionTextIndex.open(dir, {}, texts.length, (id) => texts[id]);
    expect(again.rebuilt).toBe(true);
    expect(again.search('gamma', 5, null).map((h) => h.docId)).toEqual([1]);
    expect(again.search('stale', 5, null)).toEqual([]);
    // Ids within the collection's room (here: deleted documents' ids the reconciliation drops) still load.
    const near = path.join(root, 'near-ids');
    const u = new TextIndex();
    u.add(0, 'alpha');
    u.add(40, 'gone');
    saveTextIndexSync(u, near);
    const kept = await CollectionTextIndex.open(near, {}, texts.length, (id) => texts[id]);
    expect(kept.rebuilt).toBe(false);
    expect(kept.reconciled.removed).toBe(1);
    expect(kept.search('gone', 5, null)).toEqual([]);
  });

  it('works in memory without a directory', async () => {
    const t = await CollectionTextIndex.open(null, {}, 1, () => 'only one');
    await t.flush();
    expect(t.search('one', 1, null)).toEqual([{ docId: 0, score: expect.any(Number) }]);
  });
});
