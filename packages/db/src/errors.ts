/**
 * Errors of @vego/db. Both are subclasses of the project-wide family (same stable `code`s as their
 * parents), carrying the document key and field they are about so callers need not parse messages.
 */
import { ConflictError, InvalidArgumentError } from '@vego/hnsw';

/**
 * A document that cannot be stored as given: a value of the wrong type for its field, a vector of
 * the wrong dimension or with NaN/±∞, a reserved field name. Code `VEGO_INVALID_ARGUMENT`.
 */
export class InvalidDocumentError extends InvalidArgumentError {
  /** Key of the document (or `#<index>` in its batch when it has no key yet). */
  readonly key: string;
  /** Field at fault (`vector`, `text`, `key` or a metadata field), or `null` for the whole document. */
  readonly field: string | null;
  constructor(key: string, field: string | null, message: string) {
    super(`document '${key}'${field === null ? '' : `, field \`${field}\``}: ${message}`);
    this.name = 'InvalidDocumentError';
    this.key = key;
    this.field = field;
  }
}

/** Inserting a key that is already in the collection (or twice in one batch). Code `VEGO_CONFLICT`. */
export class DuplicateKeyError extends ConflictError {
  /** The duplicated key. */
  readonly key: string;
  constructor(key: string, where: string) {
    super(`document '${key}': duplicate key (${where}); use upsert to replace a document`);
    this.name = 'DuplicateKeyError';
    this.key = key;
  }
}
