/**
 * Turns Node file-system errors into the Vego error family. Every message names the path, and the
 * original error is kept as `cause`.
 */
import { IoError, NotFoundError, VegoError, isVegoError } from '@vego/format';

/** The `code` of a Node system error (`ENOENT`, `EACCES`, …) or undefined. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return (error as { code: string }).code;
  }
  return undefined;
}

/**
 * Maps a Node error raised while doing `action` on `path`: ENOENT/ENOTDIR become NotFoundError,
 * everything else IoError (with `.path`). Vego errors pass through unchanged.
 */
export function fsError(error: unknown, action: string, path: string): VegoError {
  if (isVegoError(error)) return error;
  const code = errnoCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new NotFoundError(`cannot ${action} '${path}': no such file or directory (${code})`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new IoError(`cannot ${action} '${path}': permission denied (${code})`, path, { cause: error });
  }
  return new IoError(`cannot ${action} '${path}': ${detail}`, path, { cause: error });
}
