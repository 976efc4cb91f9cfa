/**
 * Field metadata by which Lance stores a field in a layout of its own, which this library neither reads nor
 * writes: a **packed struct** (`"lance-encoding:packed"` or the older `"packed"` set to `true`, in any
 * case, on a struct field: all children in one column, row by row) and a **blob** (`"lance-encoding:blob"`,
 * or the Arrow extension `lance.blob.v2`: the bytes out of line, the column holding their positions).
 *
 * Both matter both ways: LanceDB writes such a field in that layout, so reading it as a plain struct or
 * binary would take the wrong columns; and LanceDB reads any field carrying the marker in that layout, so a
 * file of ours that wrote the field plainly would not read there (or would read wrong). The reader leaves
 * such a field out as unsupported (the other columns still read); the writer refuses it.
 */

/** Metadata keys LanceDB reads as "store this struct packed" (value `true`, any case). */
const PACKED_KEYS = ['lance-encoding:packed', 'packed'] as const;
/** Metadata key of Lance's first blob layout (any value). */
const BLOB_KEY = 'lance-encoding:blob';
/** Arrow's extension-name key, and the name of Lance's second blob layout. */
const EXTENSION_KEY = 'ARROW:extension:name';
const BLOB_V2 = 'lance.blob.v2';

/** The key by which `metadata` (of a struct field) asks for the packed layout, or null. */
export function packedStructKey(metadata: ReadonlyMap<string, string>): string | null {
  return PACKED_KEYS.find((key) => metadata.get(key)?.toLowerCase() === 'true') ?? null;
}

/**
 * The Lance layout `metadata` asks for a field (a struct when `isStruct`) that this library does not read
 * or write (`packed struct` or `blob`, with the key that asks for it), or null for none.
 */
export function unsupportedLayoutOf(isStruct: boolean, metadata: ReadonlyMap<string, string>): string | null {
  if (isStruct) {
    const key = packedStructKey(metadata);
    if (key !== null) return `packed struct ("${key}": "${metadata.get(key)!}")`;
  }
  if (metadata.has(BLOB_KEY)) return `blob ("${BLOB_KEY}")`;
  if (metadata.get(EXTENSION_KEY) === BLOB_V2) return `blob ("${EXTENSION_KEY}": "${BLOB_V2}")`;
  return null;
}
