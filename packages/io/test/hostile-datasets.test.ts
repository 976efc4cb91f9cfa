/**
 * Regression tests of issue 12 (hostile datasets and damaged files), items 1, 2, 6, 7 and 8: a
 * manifest is file content, so the paths and counts it claims are checked before they are trusted.
 * Every test edits a real dataset's manifest (decode, change, encode) or its files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CorruptDataError,
  Dataset,
  ErrorCode,
  InvalidArgumentError,
  decodeManifest,
  isVegoError,
} from '@vego/io';
import { encodeManifest, manifestFileName, serializeRoaring, writeUint32ArrowFile, type Manifest } from '@vego/format';
import { makeTempDir, removeDir } from './fixtures/helpers';

type Row = { id: number; name: string };
const rows = (from: number, to: number): Row[] => Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `row ${from + k}` }));

function ids(batches: Iterable<{ numRows: number; column(n: string): { get(i: number): unknown } }>): number[] {
  const out: number[] = [];
  for (const b of batches) for (let i = 0; i < b.numRows; i++) out.push(b.column('id').get(i) as number);
  return out;
}

function manifestPath(dir: string, version: number): string {
  return path.join(dir, '_versions', manifestFileName(version, 'v2'));
}

/** Rewrites the manifest of `version` in place (decode, edit, encode). */
function editManifest(dir: string, version: number, edit: (m: Manifest) => void): void {
  const p = manifestPath(dir, version);
  const m = decodeManifest(fs.readFileSync(p));
  edit(m);
  fs.writeFileSync(p, encodeManifest(m));
}

function dataFiles(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 'data')).sort();
}

/** The error `f` throws (or rejects with). */
async function errorOf(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('hostile datasets (issue 12)', () => {
  let root: string;
  /** A Lance file of 7 rows with the test schema, outside every dataset: what a traversal would reach. */
  let victim: string;
  beforeAll(() => {
    root = makeTempDir('hostile');
    const src = path.join(root, 'victim-src');
    const ds = Dataset.createSync(src, rows(1000, 1007));
    victim = path.join(root, 'victim.lance');
    fs.copyFileSync(ds.fragmentFiles()[0]!.paths[0]!, victim);
  });
  afterAll(() => removeDir(root));

  /** Points fragment `k` of `version` at `rel`, with the victim's size and rows (what an attacker would write). */
  function pointAt(dir: string, version: number, k: number, rel: string): void {
    editManifest(dir, version, (m) => {
      const f = m.fragments[k]!;
      f.files[0]!.path = rel;
      f.files[0]!.fileSizeBytes = fs.statSync(victim).size;
      f.physicalRows = 7;
    });
  }

  describe('issue 12 item 1: paths from a manifest stay inside the dataset folder', () => {
    it('refuses ../../victim.lance on open, append and cleanup after an overwrite, and deletes nothing outside', async () => {
      const dir = path.join(root, 'traversal');
      Dataset.createSync(dir, rows(0, 10));
      pointAt(dir, 1, 0, '../../victim.lance');
      const victimBytes = fs.readFileSync(victim);

      const e = await errorOf(() => Dataset.openSync(dir));
      expect(e).toBeInstanceOf(CorruptDataError);
      expect((e as Error).message).toMatch(/"\.\.\/\.\.\/victim\.lance" has a '\.\.' segment/);
      await expect(Dataset.open(dir)).rejects.toThrow(CorruptDataError);
      // An append would carry the fragment into a new version: refused before anything is written.
      const before = dataFiles(dir);
      expect(() => Dataset.createSync(dir, rows(10, 12), { mode: 'append' })).toThrow(CorruptDataError);
      expect(dataFiles(dir)).toEqual(before);

      // An overwrite does not need the old fragments; cleanup then must not follow the old manifest out.
      const v2 = Dataset.createSync(dir, rows(20, 25), { mode: 'overwrite' });
      expect(v2.cleanupOldVersions().removedVersions).toEqual([]); // v1 is younger than the retention period
      expect(() => v2.cleanupOldVersions({ keep: 1, olderThan: 0 })).toThrow(CorruptDataError);
      expect(fs.readFileSync(victim).equals(victimBytes)).toBe(true);
      expect(fs.existsSync(manifestPath(dir, 1))).toBe(true); // nothing deleted at all
      expect(ids(Dataset.openSync(dir).scanSync())).toEqual([20, 21, 22, 23, 24]);
    });

    it('compaction followed by cleanup deletes nothing outside, through ../ or through a symlink', () => {
      const dir = path.join(root, 'compact-cleanup');
      Dataset.createSync(dir, rows(0, 15), { maxRowsPerFile: 5 });
      const v1Files = dataFiles(dir);
      const { dataset: v2 } = Dataset.openSync(dir).compactSync();
      expect(v2.version).toBe(2);
      pointAt(dir, 1, 0, '../../victim.lance');
      expect(() => v2.cleanupOldVersions({ keep: 1, olderThan: 0 })).toThrow(CorruptDataError);
      expect(fs.existsSync(victim)).toBe(true);
      expect(v1Files.filter((n) => !dataFiles(dir).includes(n))).toEqual([]); // nothing deleted, inside either

      // The same through a symlink inside data/ that points out: refused, neither link nor target deleted.
      const victim2 = path.join(root, 'victim2.lance');
      fs.copyFileSync(victim, victim2);
      fs.symlinkSync(victim2, path.join(dir, 'data', 'link.lance'));
      pointAt(dir, 1, 0, 'link.lance');
      const e = (() => {
        try {
          v2.cleanupOldVersions({ keep: 1, olderThan: 0 });
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(CorruptDataError);
      expect((e as Error).message).toMatch(/outside the dataset folder/);
      expect(fs.existsSync(victim2)).toBe(true);
      expect(fs.lstatSync(path.join(dir, 'data', 'link.lance')).isSymbolicLink()).toBe(true);
      expect(fs.existsSync(manifestPath(dir, 1))).toBe(true);
    });

    it('refuses absolute paths, NUL, backslashes, empty and dot segments with CorruptDataError', () => {
      const bad = [victim, 'a\u0000.lance', '..\\..\\victim.lance', 'x//y.lance', './x.lance', 'x/', '', 'sub/../../../victim.lance'];
      for (const [k, rel] of bad.entries()) {
        const dir = path.join(root, `bad-${k}`);
        Dataset.createSync(dir, rows(0, 3));
        pointAt(dir, 1, 0, rel);
        const e = (() => {
          try {
            Dataset.openSync(dir);
          } catch (err) {
            return err;
          }
          return null;
        })();
        expect([rel, (e as { code?: string } | null)?.code]).toEqual([rel, ErrorCode.CORRUPT_DATA]);
      }
    });

    it('refuses a data file that is a symlink pointing outside (scan, take, fragmentFiles, async), and reads one pointing inside', async () => {
      const dir = path.join(root, 'symlink-out');
      const ds = Dataset.createSync(dir, rows(0, 8));
      const file = ds.fragmentFiles()[0]!.paths[0]!;
      const outside = path.join(root, 'moved-out.lance');
      fs.renameSync(file, outside);
      fs.symlinkSync(outside, file);
      const opened = Dataset.openSync(dir); // names are fine; the check is on the resolved file
      expect(() => [...opened.scanSync()]).toThrow(/resolves to .*outside the dataset folder/);
      expect(() => opened.takeSync([0])).toThrow(CorruptDataError);
      expect(() => opened.fragmentFiles()).toThrow(CorruptDataError);
      await expect(Dataset.open(dir).then((d) => d.toTable())).rejects.toThrow(CorruptDataError);
      expect(() => opened.compactSync({ targetRowsPerFragment: 100, materializeDeletions: false })).not.toThrow(); // one fragment: nothing to compact

      // A symlink to a file elsewhere inside the dataset folder is fine.
      const inside = path.join(dir, 'elsewhere');
      fs.mkdirSync(inside);
      fs.unlinkSync(file);
      fs.renameSync(outside, path.join(inside, 'real.lance'));
      fs.symlinkSync(path.join(inside, 'real.lance'), file);
      expect(ids(Dataset.openSync(dir).scanSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it('refuses compaction reading a symlink pointing outside, and writing through a data/ folder that points outside', () => {
      const dir = path.join(root, 'symlink-compact');
      Dataset.createSync(dir, rows(0, 15), { maxRowsPerFile: 5 });
      const ds = Dataset.openSync(dir);
      const file = ds.fragmentFiles()[1]!.paths[0]!;
      const outside = path.join(root, 'compact-out.lance');
      fs.copyFileSync(file, outside);
      fs.unlinkSync(file);
      fs.symlinkSync(outside, file);
      const before = dataFiles(dir);
      expect(() => ds.compactSync()).toThrow(CorruptDataError);
      expect(dataFiles(dir)).toEqual(before);
      expect(ds.latestVersion()).toBe(1);

      // `data` itself a symlink to a folder outside: appending would write there; refused.
      const dir2 = path.join(root, 'data-link');
      Dataset.createSync(dir2, rows(0, 3));
      const outsideData = path.join(root, 'outside-data');
      fs.renameSync(path.join(dir2, 'data'), outsideData);
      fs.symlinkSync(outsideData, path.join(dir2, 'data'));
      const outsideBefore = fs.readdirSync(outsideData);
      expect(() => Dataset.createSync(dir2, rows(3, 6), { mode: 'append' })).toThrow(CorruptDataError);
      expect(fs.readdirSync(outsideData)).toEqual(outsideBefore);
    });

    it('refuses a deletion file that is a symlink pointing outside', () => {
      const dir = path.join(root, 'deletion-link');
      const v2 = Dataset.createSync(dir, rows(0, 10)).deleteRowsSync([3]);
      const delDir = path.join(dir, '_deletions');
      const [name] = fs.readdirSync(delDir);
      const outside = path.join(root, 'deletions-out.arrow');
      fs.renameSync(path.join(delDir, name!), outside);
      fs.symlinkSync(outside, path.join(delDir, name!));
      expect(() => [...Dataset.openSync(dir, { version: v2.version }).scanSync()]).toThrow(CorruptDataError);
    });
  });

  describe('issue 12 item 2: claimed row counts are checked against the data files, plans are lazy', () => {
    for (const claim of [2 ** 40, 2 ** 31]) {
      it(`fails fast with CorruptDataError on a claim of ${claim} rows (scan, async scan, take, delete, compact)`, async () => {
        const dir = path.join(root, `claim-${claim}`);
        Dataset.createSync(dir, rows(0, 20), { maxRowsPerFile: 10 }); // two fragments, so compaction merges them
        editManifest(dir, 1, (m) => {
          m.fragments[0]!.physicalRows = claim;
        });
        const ds = Dataset.openSync(dir);
        expect(ds.countRows()).toBe(claim + 10); // the manifest's count, read without opening data files
        const expected = /expected \d+ rows \(from the manifest\), found 10/;
        expect(() => ds.scanSync().next()).toThrow(expected);
        expect(() => ds.scanSync({ columns: [] }).next()).toThrow(CorruptDataError);
        expect(() => ds.scanSync({ offset: claim - 5 }).next()).toThrow(CorruptDataError);
        await expect(ds.scan({ batchSize: 1 }).next()).rejects.toThrow(expected);
        expect(() => ds.takeSync([claim - 1])).toThrow(CorruptDataError);
        expect(() => ds.deleteRowsSync([claim - 1])).toThrow(CorruptDataError);
        expect(() => ds.deleteSync(() => true)).toThrow(CorruptDataError);
        await expect(ds.deleteRows([5])).rejects.toThrow(CorruptDataError);
        expect(() => ds.compactSync({ targetRowsPerFragment: 2 ** 50 })).toThrow(CorruptDataError);
        await expect(ds.compact({ targetRowsPerFragment: 2 ** 50 })).rejects.toThrow(CorruptDataError);
        expect(ds.latestVersion()).toBe(1);
        expect(fs.existsSync(path.join(dir, '_deletions'))).toBe(false);
      });
    }
  });

  describe('issue 12 fuzz (index:hnsw seed 3345565752): a fragment claiming 0 rows is checked against its data files', () => {
    /** Two fragments of 5 rows; version 1's manifest edited so that fragment `k` claims `claim` rows. */
    function claimed(name: string, k: number, claim: number): { dir: string; file: string } {
      const dir = path.join(root, name);
      const ds = Dataset.createSync(dir, rows(0, 10), { maxRowsPerFile: 5 });
      const file = ds.fragmentFiles()[k]!.paths[0]!;
      editManifest(dir, 1, (m) => {
        m.fragments[k]!.physicalRows = claim;
      });
      return { dir, file };
    }

    for (const k of [0, 1]) {
      it(`scan, async scan, take, delete and compact throw CorruptDataError naming fragment ${k} and its file`, async () => {
        const { dir, file } = claimed(`zero-claim-${k}`, k, 0);
        const ds = Dataset.openSync(dir);
        // countRows() is the manifest's claim by design (it reads no data file); reads check it.
        expect(ds.countRows()).toBe(5);
        const named = (e: unknown): void => {
          expect(e).toBeInstanceOf(CorruptDataError);
          const message = (e as Error).message;
          expect(message).toContain(`fragment ${k}`);
          expect(message).toContain(path.basename(file));
          expect(message).toMatch(/expected 0 rows \(from the manifest\), found 5/);
        };
        named(await errorOf(() => [...ds.scanSync()]));
        named(await errorOf(() => [...Dataset.openSync(dir).scanSync({ columns: [] })]));
        named(await errorOf(async () => {
          for await (const b of Dataset.openSync(dir).scan()) void b;
        }));
        named(await errorOf(() => Dataset.openSync(dir).toTableSync()));
        if (k === 0) {
          // Live row 4 would be fragment 1's row 4 under the claim: its position depends on fragment 0.
          named(await errorOf(() => Dataset.openSync(dir).takeSync([4])));
          named(await errorOf(() => Dataset.openSync(dir).take([4])));
          named(await errorOf(() => Dataset.openSync(dir).deleteRowsSync([4])));
        } else {
          // A take reads and checks the fragments up to the one it reads: rows before the damaged
          // fragment do not depend on its claim, and come back exactly.
          expect(Dataset.openSync(dir).takeSync([4, 0]).column('id').get(0)).toBe(4);
        }
        named(await errorOf(() => Dataset.openSync(dir).deleteSync(() => false)));
        named(await errorOf(() => Dataset.openSync(dir).compactSync({ targetRowsPerFragment: 100 })));
        named(await errorOf(() => Dataset.openSync(dir).compact({ targetRowsPerFragment: 100 })));
        expect(ds.latestVersion()).toBe(1);
      });
    }

    it('a scan that skips a fragment by offset still checks its claim (positions after it depend on it)', async () => {
      const { dir } = claimed('short-claim', 0, 3); // fragment 0 holds 5 rows, claims 3
      const ds = Dataset.openSync(dir);
      expect(() => [...ds.scanSync({ offset: 3 })]).toThrow(CorruptDataError);
      await expect((async () => {
        for await (const b of Dataset.openSync(dir).scan({ offset: 4 })) void b;
      })()).rejects.toThrow(/expected 3 rows \(from the manifest\), found 5/);
      expect(() => Dataset.openSync(dir).takeSync([3])).toThrow(CorruptDataError);
    });

    it('undamaged datasets still read exactly, with offsets past whole fragments', async () => {
      const dir = path.join(root, 'zero-claim-control');
      Dataset.createSync(dir, rows(0, 15), { maxRowsPerFile: 5 });
      const ds = Dataset.openSync(dir);
      expect(ids(ds.scanSync({ offset: 7, batchSize: 2 }))).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
      const out: number[] = [];
      for await (const b of ds.scan({ offset: 10, limit: 3 })) out.push(...ids([b]));
      expect(out).toEqual([10, 11, 12]);
      expect(ds.takeSync([14, 0]).column('id').get(0)).toBe(14);
    });
  });

  describe('issue 12 item 6: deletion files are validated on load', () => {
    /** A 20-row dataset whose version 2 deletes rows 1 and 2; returns the deletion file's path. */
    function withDeletions(name: string): { dir: string; file: string } {
      const dir = path.join(root, name);
      Dataset.createSync(dir, rows(0, 20)).deleteRowsSync([1, 2]);
      const delDir = path.join(dir, '_deletions');
      return { dir, file: path.join(delDir, fs.readdirSync(delDir)[0]!) };
    }

    it('accepts unsorted Arrow offsets (LanceDB writes them in hash-set order) and refuses duplicates and out-of-range ones', () => {
      const { dir, file } = withDeletions('del-arrow');
      fs.writeFileSync(file, writeUint32ArrowFile(Uint32Array.of(2, 1)));
      expect(ids(Dataset.openSync(dir).scanSync())).toEqual(rows(0, 20).map((r) => r.id).filter((i) => i !== 1 && i !== 2));
      fs.writeFileSync(file, writeUint32ArrowFile(Uint32Array.of(1, 1)));
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(/row offset 1 is listed twice/);
      fs.writeFileSync(file, writeUint32ArrowFile(Uint32Array.of(1, 20)));
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(/expected row offsets below 20 .*found 20/);
      // A count that disagrees with the manifest's.
      fs.writeFileSync(file, writeUint32ArrowFile(Uint32Array.of(1, 2, 3)));
      expect(() => Dataset.openSync(dir).countRows()).not.toThrow(); // from the manifest's count
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(/expected 2 deleted rows \(from the manifest\), found 3/);
    });

    it('refuses a Roaring bitmap with offsets past the fragment', () => {
      const { dir, file } = withDeletions('del-roaring');
      const bin = file.replace(/\.arrow$/, '.bin');
      fs.renameSync(file, bin);
      editManifest(dir, 2, (m) => {
        m.fragments[0]!.deletionFile!.fileType = 'bitmap';
      });
      fs.writeFileSync(bin, serializeRoaring(Uint32Array.of(1, 2)));
      expect(Dataset.openSync(dir).countRows()).toBe(18);
      expect(ids(Dataset.openSync(dir).scanSync())).toHaveLength(18);
      fs.writeFileSync(bin, serializeRoaring(Uint32Array.of(1, 70000)));
      const e = (() => {
        try {
          [...Dataset.openSync(dir).scanSync()];
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(CorruptDataError);
      expect((e as Error).message).toMatch(/values below 20 \(the fragment's rows\), found 70000/);
    });
  });

  describe('issue 12 item 7: cleanup keeps young versions for their readers', () => {
    it('keeps versions younger than 7 days by default, judged by the manifest commit time; olderThan configures it', async () => {
      const dir = path.join(root, 'retention');
      Dataset.createSync(dir, rows(0, 30), { maxRowsPerFile: 10 });
      Dataset.createSync(dir, rows(30, 40), { mode: 'append' });
      const v3 = Dataset.createSync(dir, rows(100, 105), { mode: 'overwrite' });

      // A reader of version 1, mid-scan while another handle cleans up with the defaults.
      const reader = Dataset.openSync(dir, { version: 1 });
      const it = reader.scan({ batchSize: 4 });
      const first = await it.next();
      expect(v3.cleanupOldVersions()).toEqual({ removedVersions: [], removedDataFiles: [], removedIndices: [] });
      const seen = ids([first.value!]);
      for (let r = await it.next(); r.done !== true; r = await it.next()) seen.push(...ids([r.value]));
      expect(seen).toEqual(rows(0, 30).map((r) => r.id));
      await reader.close();

      // Version 1's manifest says it was committed 8 days ago (its file is new): the default removes it.
      editManifest(dir, 1, (m) => {
        m.timestampMs = Date.now() - 8 * 24 * 3600 * 1000;
      });
      const res = v3.cleanupOldVersions();
      expect(res.removedVersions).toEqual([1]);
      expect(res.removedDataFiles).toEqual([]); // version 2 still uses version 1's files
      expect(v3.cleanupOldVersions({ olderThan: 3_600_000 }).removedVersions).toEqual([]);
      expect(v3.cleanupOldVersions({ olderThan: new Date(Date.now() - 60_000) }).removedVersions).toEqual([]);
      const now = v3.cleanupOldVersions({ olderThan: 0 });
      expect(now.removedVersions).toEqual([2]);
      expect(now.removedDataFiles).toHaveLength(4);
      expect(() => v3.cleanupOldVersions({ olderThan: -1 })).toThrow(InvalidArgumentError);
      expect(() => v3.cleanupOldVersions({ olderThan: Number.NaN })).toThrow(InvalidArgumentError);
      expect(ids(Dataset.openSync(dir).scanSync())).toEqual([100, 101, 102, 103, 104]);
    });
  });

  describe('issue 12 item 8: damage in a manifest is CORRUPT_DATA', () => {
    it('gives a typed error for single-bit flips at every byte, never INVALID_ARGUMENT or IO', () => {
      const dir = path.join(root, 'bitflips');
      Dataset.createSync(dir, Array.from({ length: 30 }, (_, i) => ({ id: i, big: BigInt(i), f: i / 3, ok: i % 2 === 0, name: `n${i}`, v: new Float32Array([i, 1]) })));
      Dataset.openSync(dir).deleteRowsSync([1, 2]);
      const p = manifestPath(dir, 2);
      const original = fs.readFileSync(p);
      const codes = new Map<string, number>();
      try {
        for (let i = 0; i < original.length; i++) {
          // Two bits per byte (a different pair at each byte), to keep the test quick.
          for (const bit of [i & 7, (i + 4) & 7]) {
            const bytes = Buffer.from(original);
            bytes[i]! ^= 1 << bit;
            fs.writeFileSync(p, bytes);
            let code = 'none';
            try {
              Dataset.openSync(dir).toTableSync();
            } catch (e) {
              code = isVegoError(e) ? e.code : `not a VegoError: ${String(e)}`;
            }
            codes.set(code, (codes.get(code) ?? 0) + 1);
          }
        }
      } finally {
        fs.writeFileSync(p, original);
      }
      // NOT_FOUND: a flipped file name or deletion-file id names a file that is not there;
      // NOT_SUPPORTED: a flipped logical type name reads as a type this build does not know.
      const allowed = new Set(['none', ErrorCode.CORRUPT_DATA, ErrorCode.NOT_FOUND, ErrorCode.NOT_SUPPORTED]);
      expect([...codes.keys()].filter((c) => !allowed.has(c))).toEqual([]);
      expect(codes.get(ErrorCode.CORRUPT_DATA)).toBeGreaterThan(original.length / 2);
    });

    it('gives CORRUPT_DATA for duplicate field names and a path holding NUL, and names the file and byte offset', () => {
      const dir = path.join(root, 'manifest-damage');
      Dataset.createSync(dir, rows(0, 5));
      const p = manifestPath(dir, 1);
      const original = fs.readFileSync(p);
      editManifest(dir, 1, (m) => {
        m.fields[1]!.name = m.fields[0]!.name;
      });
      expect(() => Dataset.openSync(dir)).toThrow(CorruptDataError);
      fs.writeFileSync(p, original);
      editManifest(dir, 1, (m) => {
        m.fragments[0]!.files[0]!.path = `${m.fragments[0]!.files[0]!.path}\u0000`;
      });
      expect(() => Dataset.openSync(dir)).toThrow(CorruptDataError);
      // A length that runs past its message: the error names the manifest and a byte offset in it.
      const bytes = Buffer.from(original);
      // The Manifest message follows its u32 length, at the position the trailer names (after the transaction section).
      const body = Number(bytes.readBigInt64LE(bytes.length - 16)) + 4;
      expect(bytes[body]).toBe((1 << 3) | 2); // field 1 (a schema field), length-delimited
      bytes.set([0xff, 0xff, 0x7f], body + 1); // length 2^21 - 1, far past the message's end
      fs.writeFileSync(p, bytes);
      const e = (() => {
        try {
          Dataset.openSync(dir);
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(CorruptDataError);
      expect((e as Error).message).toContain(p);
      expect((e as Error).message).toContain(`field 1 declares 2097151 bytes at byte ${body + 4} but only`);
    });
  });
});
