/**
 * Manifests asking for Lance features vego does not implement: reads of a dataset whose reader
 * feature flags vego does not know (data overlay files, which override values in the data files) or
 * whose files live in another base path are refused with NotSupportedError, never read with stale
 * values or from outside the folder; commits to a dataset whose writer flags vego does not honour, or
 * whose manifest holds fields vego does not model (base paths, fragments' row sequences), are refused
 * before anything is written, where they used to write a manifest without those fields.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeManifest, encodeManifest, type Manifest } from '@vego/format';
import { Dataset, NotSupportedError } from '@vego/io';
import { filesUnder, makeTempDir, removeDir } from './fixtures/helpers';

let root: string;
beforeAll(() => (root = makeTempDir('manifest-features')));
afterAll(() => removeDir(root));

/** A dataset of two fragments, the second with a deletion file, and the path of its latest manifest. */
function dataset(name: string): { dir: string; manifest: string } {
  const dir = path.join(root, name);
  Dataset.createSync(dir, [{ id: 1, s: 'a' }, { id: 2, s: 'b' }]);
  Dataset.createSync(dir, [{ id: 3, s: 'c' }, { id: 4, s: 'd' }], { mode: 'append' }).deleteRowsSync([3]);
  const versions = path.join(dir, '_versions');
  const latest = fs.readdirSync(versions).sort()[0]!; // v2 names: the newest sorts first
  return { dir, manifest: path.join(versions, latest) };
}

function rewrite(file: string, change: (m: Manifest) => void): void {
  const m = decodeManifest(fs.readFileSync(file));
  change(m);
  fs.writeFileSync(file, encodeManifest(m));
}

// ---- protobuf at the wire level, to add fields the encoder does not write

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Top-level entries of a protobuf message: [field, bytes of the whole entry, payload start, end]. */
function entries(b: Uint8Array): { field: number; wire: number; start: number; payload: number; end: number }[] {
  const out = [];
  let p = 0;
  const read = (): number => {
    let v = 0;
    for (let s = 1; ; s *= 128) {
      const x = b[p++]!;
      v += (x & 0x7f) * s;
      if (x < 0x80) return v;
    }
  };
  while (p < b.length) {
    const start = p;
    const key = read();
    const wire = key & 7;
    let payload = p;
    if (wire === 0) read();
    else if (wire === 2) {
      const len = read();
      payload = p;
      p += len;
    } else throw new Error(`wire type ${wire}`);
    out.push({ field: Math.floor(key / 8), wire, start, payload, end: p });
  }
  return out;
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint(field * 8 + 2), ...varint(payload.length), ...payload]);
}

/** Rewrites the Manifest message of a manifest file through `change` (bytes in, bytes out). */
function rewriteBody(file: string, change: (body: Uint8Array) => Uint8Array): void {
  const bytes = fs.readFileSync(file);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const pos = Number(dv.getBigInt64(bytes.length - 16, true));
  const body = change(bytes.subarray(pos + 4, pos + 4 + dv.getUint32(pos, true)));
  const out = new Uint8Array(pos + 4 + body.length + 16);
  out.set(bytes.subarray(0, pos));
  const odv = new DataView(out.buffer);
  odv.setUint32(pos, body.length, true);
  out.set(body, pos + 4);
  out.set(bytes.subarray(bytes.length - 16), out.length - 16);
  fs.writeFileSync(file, out);
}

function expectWritesRefused(dir: string, why: RegExp): void {
  const before = filesUnder(dir);
  const ds = Dataset.openSync(dir);
  expect([...ds.scanSync()].reduce((n, b) => n + b.numRows, 0)).toBe(3);
  expect(() => Dataset.createSync(dir, [{ id: 9, s: 'z' }], { mode: 'append' })).toThrow(why);
  expect(() => ds.deleteRowsSync([0])).toThrow(why);
  expect(() => ds.appendAndDeleteSync([{ id: 9, s: 'z' }], [0])).toThrow(why);
  expect(() => ds.compactSync({ materializeDeletionsThreshold: 0 })).toThrow(why);
  expect(() => Dataset.createSync(dir, [{ id: 9, s: 'z' }], { mode: 'overwrite' })).toThrow(NotSupportedError);
  expect(filesUnder(dir)).toEqual(before);
}

describe('Lance features vego does not implement', () => {
  it('refuses to read a dataset with reader feature flags it does not know (data overlay files: 64)', async () => {
    const { dir, manifest } = dataset('overlays');
    rewrite(manifest, (m) => {
      m.readerFeatureFlags |= 64;
      m.writerFeatureFlags |= 64;
    });
    expect(() => Dataset.openSync(dir)).toThrow(NotSupportedError);
    expect(() => Dataset.openSync(dir)).toThrow(/reader feature flags 64 \(1 << 6\)/);
    await expect(Dataset.open(dir)).rejects.toThrow(NotSupportedError);
    // The version before is still readable (time travel).
    expect(Dataset.openSync(dir, { version: 2 }).countRows()).toBe(4);
  });

  it('reads a dataset with writer feature flags it does not honour, and refuses every commit to it', () => {
    const { dir, manifest } = dataset('covering');
    rewrite(manifest, (m) => {
      m.writerFeatureFlags |= 128;
    });
    expectWritesRefused(dir, /writer feature flags 128 \(1 << 7\)/);
  });

  it('refuses to read a dataset whose data files live in another base path', () => {
    const { dir, manifest } = dataset('base-file');
    rewrite(manifest, (m) => {
      m.fragments[1]!.files[0]!.baseId = 0;
    });
    expect(() => Dataset.openSync(dir)).toThrow(/fragment 1 has files in another base path \(base id 0/);
  });

  it('refuses commits that would drop manifest fields it does not model (base paths: field 18)', () => {
    const { dir, manifest } = dataset('base-paths');
    const basePath = Uint8Array.from([...varint(1 * 8), 0, ...lengthDelimited(4, new TextEncoder().encode('/elsewhere'))]);
    rewriteBody(manifest, (body) => Uint8Array.from([...body, ...lengthDelimited(18, basePath)]));
    expect(decodeManifest(fs.readFileSync(manifest)).unknownFields).toEqual([18]);
    expectWritesRefused(dir, /manifest fields 18/);
  });

  it("refuses commits that would drop a fragment's fields it does not model (created-at versions: field 9)", () => {
    const { dir, manifest } = dataset('fragment-fields');
    rewriteBody(manifest, (body) => {
      const parts: number[] = [];
      let first = true;
      for (const e of entries(body)) {
        if (e.field === 2 && first) {
          first = false;
          parts.push(...lengthDelimited(2, Uint8Array.from([...body.subarray(e.payload, e.end), ...lengthDelimited(9, Uint8Array.from([1, 2, 3]))])));
        } else parts.push(...body.subarray(e.start, e.end));
      }
      return Uint8Array.from(parts);
    });
    expectWritesRefused(dir, /fields 9 of fragment 0/);
  });
});
