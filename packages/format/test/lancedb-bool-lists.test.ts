/**
 * Bools in list columns of LanceDB's 2.1/2.2 files: a mini-block chunk of a list column holds however many
 * values its rows have, and the reader joined the chunks' bit-packed values byte by byte, so every bool after
 * a chunk of 8k + r values was read shifted by 8 − r bits: wrong values from the second chunk on, with no
 * error (`src/v2_1/page-rows.ts`, `concatBitBlocks`). Found by the differential campaign (seed 2302,
 * `List<List<Bool>>`). Values are compared with what LanceDB returns for the same file.
 */
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { plainColumn, rng, tempDir } from './helpers';
import { lanceDbFile, listOf } from './fixtures/lancedb';

describe.each([['2.1', '2.1'], ['2.2', null]] as const)('bools in lists of LanceDB %s files, over many chunks', (_name, version) => {
  it('read as LanceDB returns them, whole and by row ranges', async () => {
    const tmp = tempDir('vego-bool-lists-');
    try {
      const r = rng(7);
      const n = 6000;
      const bools = (max: number): (boolean | null)[] => Array.from({ length: Math.floor(r() * max) }, () => (r() < 0.05 ? null : r() < 0.5));
      const schema = new arrow.Schema([
        new arrow.Field('id', new arrow.Int32(), false),
        new arrow.Field('l', listOf(new arrow.Bool()), true),
        new arrow.Field('ll', listOf(listOf(new arrow.Bool())), false),
        new arrow.Field('b', new arrow.Bool(), true),
      ]);
      const rows = Array.from({ length: n }, (_, i) => ({
        id: i,
        l: r() < 0.1 ? null : bools(13),
        ll: Array.from({ length: Math.floor(r() * 5) }, () => (r() < 0.1 ? null : bools(11))),
        b: r() < 0.1 ? null : r() < 0.5,
      }));
      const { file, expected } = await lanceDbFile(tmp.dir, schema, rows, version);
      const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
      const all = reader.readSync();
      for (const name of ['l', 'll', 'b']) expect([name, plainColumn(all, name)]).toEqual([name, expected.map((x) => x[name])]);
      const part = reader.readSync({ offset: 2345, limit: 1111 });
      for (const name of ['l', 'll', 'b']) expect([name, plainColumn(part, name)]).toEqual([name, expected.slice(2345, 3456).map((x) => x[name])]);
    } finally {
      tmp.cleanup();
    }
  });
});
