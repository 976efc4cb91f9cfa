/**
 * The index directory: checking the path a caller gives, finding a dataset's latest version, and
 * the one error builder for damage found in a saved index.
 */
import * as nodePath from 'node:path';
import { CorruptDataError, corruptData, Dataset, InvalidArgumentError, NotFoundError, NotSupportedError, isObjectStoreUri } from '@vego/io';

/** A CorruptDataError that names the saved index, what was checked, and expected vs found. */
export function corrupt(root: string, what: string, expected: string, found: unknown): CorruptDataError {
  return corruptData(`saved index '${root}': ${what}`, expected, found);
}

/**
 * The absolute path of an index directory.
 * @throws InvalidArgumentError when `dir` is not a non-empty string; NotSupportedError for an
 *   `s3://` or `http(s)://` URI (resolved as a path it would silently become a local `s3:` folder)
 */
export function checkDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError(`\`dir\` must be a non-empty path, got ${String(dir)}`);
  if (isObjectStoreUri(dir)) throw new NotSupportedError(`saving and loading an index on object storage ('${dir}') is not supported yet: save to a local folder`);
  return nodePath.resolve(dir);
}

/** Latest committed version of a dataset, or −1 when there is none. */
export function latestVersion(path: string): number {
  let ds: Dataset;
  try {
    ds = Dataset.openSync(path);
  } catch (e) {
    if (e instanceof NotFoundError) return -1;
    throw e;
  }
  const version = ds.version;
  ds.closeSync();
  return version;
}
