/**
 * Manifest file names in `_versions/` (see /work/shared/LANCE-FORMAT.md):
 * - V1 naming: `<version>.manifest`, e.g. `3.manifest`;
 * - V2 naming (LanceDB ≥ 0.x default): `<u64::MAX − version, as 20 decimal digits>.manifest`, so that a
 *   lexicographic listing yields the newest version first. Version 1 is `18446744073709551614.manifest`.
 * A 20-digit name is V2; any other all-digit name is V1.
 */
import {
  CorruptDataError,
  NotFoundError,
  manifestFileName as formatManifestFileName,
  parseManifestFileName as formatParseManifestFileName,
} from '@vego/format';
import { fsError } from './fs-error';
import * as fs from './local-fs';

/** How manifest files are named. */
export type ManifestNaming = 'v1' | 'v2';

/** One committed version found on disk. */
export interface VersionFile {
  version: number;
  fileName: string;
  naming: ManifestNaming;
}

/** The file name of `version` under `naming` (format's naming rules). */
export function manifestFileName(version: number, naming: ManifestNaming): string {
  return formatManifestFileName(version, naming);
}

/** Parses a manifest file name; null for anything else (temporary files, hints, `_latest.manifest`). */
export function parseManifestFileName(fileName: string): VersionFile | null {
  const version = formatParseManifestFileName(fileName);
  if (version === undefined) return null;
  return { version, fileName, naming: fileName.length === 20 + '.manifest'.length ? 'v2' : 'v1' };
}

/**
 * Lists the committed versions of the dataset at `dir`, oldest first.
 * @throws NotFoundError when `dir` or `dir/_versions` does not exist, or holds no manifest.
 * @throws IoError when the directory cannot be listed.
 */
export function listVersionFiles(dir: string): VersionFile[] {
  const versionsDir = fs.joinLocal(dir, '_versions');
  let names: string[];
  try {
    names = fs.readdirSync(versionsDir);
  } catch (e) {
    const err = fsError(e, 'list', versionsDir);
    if (err instanceof NotFoundError) {
      const what = fs.existsSync(dir) ? `'${dir}' is not a Lance dataset (no _versions directory)` : `dataset directory '${dir}' does not exist`;
      throw new NotFoundError(what, { cause: e });
    }
    throw err;
  }
  const out: VersionFile[] = [];
  for (const name of names) {
    const parsed = parseManifestFileName(name);
    if (parsed !== null) out.push(parsed);
  }
  out.sort((a, b) => a.version - b.version);
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.version === out[i - 1]!.version) {
      throw new CorruptDataError(
        `'${versionsDir}' holds two manifests of version ${out[i]!.version}: '${out[i - 1]!.fileName}' and '${out[i]!.fileName}'`,
      );
    }
  }
  return out;
}
