/**
 * Which object keys a URL can address. A key is put into a request URL segment by segment,
 * percent-encoded; but `.` and `..` survive encoding, and every URL parser (`fetch` included)
 * resolves them as path steps before the request leaves: the key `db/a/../../victim` would be sent
 * as `victim`, outside the prefix the key was listed under, or even as another bucket's object.
 * (`%2e` is resolved the same way, which is why encoding the dots cannot help.) Such keys exist on
 * S3, which stores any string; they are refused here instead of being silently redirected.
 */
import { InvalidArgumentError } from '@vego/format';

/**
 * The first `.` or `..` segment of the object key `key`, or null when it has none: a key a URL would
 * resolve to another key (see the top of this file).
 */
export function dotSegmentOf(key: string): '.' | '..' | null {
  for (const s of key.split('/')) if (s === '.' || s === '..') return s;
  return null;
}

/**
 * @throws InvalidArgumentError when `key` has a `.` or `..` segment (`where` names the store).
 */
export function checkAddressableKey(key: string, where: string): void {
  const dot = dotSegmentOf(key);
  if (dot !== null) {
    throw new InvalidArgumentError(`object key ${JSON.stringify(key)} of '${where}' has a '${dot}' segment, which a URL resolves to another key; expected plain segments, refused`);
  }
}
