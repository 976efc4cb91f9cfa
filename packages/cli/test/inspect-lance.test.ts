/**
 * `vego inspect` on single Lance 2.1 and 2.2 data files (issue 11): the fixtures are data files LanceDB
 * 0.39 wrote for `{ id: int32, tags: list<utf8>, s: struct<a: int32, b: utf8>, ts: timestamp[us, UTC] }`
 * (3 rows; the 2.2 file also holds a `map<utf8, int32>` column `m`, which vego lists as not readable).
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main, type CommandIo } from '@vego/cli';

function capture(): CommandIo & { stdout: () => string } {
  let out = '';
  const errStream = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
  return { out: (t) => void (out += t), err: () => undefined, errStream, stdout: () => out };
}

describe('vego inspect on single Lance 2.1/2.2 data files', () => {
  it.each([
    ['2.1', 'lancedb-2.1.lance'],
    ['2.2', 'lancedb-2.2.lance'],
  ])('describes a LanceDB %s file: version, rows, every column with its leaf columns and page layouts', async (version, name) => {
    const io = capture();
    expect(await main(['inspect', join(__dirname, 'fixtures', name)], io)).toBe(0);
    const out = io.stdout();
    expect(out).toContain(`format   Lance ${version} (2.${version.slice(2)})`);
    expect(out).toMatch(/rows {5}3\n/);
    expect(out).toMatch(/tags: List<Utf8>\n {6}1 column\(s\), 1 page\(s\), .*; (mini_block|full_zip|constant)\(/);
    expect(out).toMatch(/s: Struct<\{a: Int32, b: Utf8\}>\n {6}2 column\(s\), 2 page\(s\)/);
    expect(out).toMatch(/ts: Timestamp<us, UTC>\n {6}1 column\(s\)/);
    expect(out).toMatch(/id: Int32 not null\n {6}1 column\(s\)/);
    if (version === '2.2') expect(out).toContain('m: map (not readable by vego)');
  });
});
