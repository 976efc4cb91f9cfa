/**
 * The internal document-id contract of a collection (read this before indexing documents from
 * another module, such as the full-text index in `../fulltext/`).
 *
 * - Every stored version of a document has an internal **doc id**: a non-negative int32, dense,
 *   allocated in increasing order (`0, 1, 2, …`), never reused within a process, except that
 *   `Collection#optimize` renumbers the live documents `0 … size − 1` (in their old order) once a
 *   quarter of the ids are dead: the table, the index and the text index are swapped together, only
 *   while no search holds ids, so a doc id is meaningful only between two awaits of one call. It is the id of the
 *   document's node in the collection's HNSW index and the index into every in-memory column.
 * - A replaced document keeps its doc id, whatever changed: a new **vector** relinks its node in
 *   the HNSW index in place (`HNSW#update`); a change of **text or metadata only** leaves the graph
 *   alone. Only a delete retires an id (a key deleted and inserted again gets a new one).
 * - Doc ids are persisted (column `_doc_id` of the collection's Lance dataset), so they survive a
 *   reopen. After a crash, ids allocated to documents whose insertion never reached the dataset may
 *   be allocated again, and a live id's vector may be newer than the saved index's; an index kept
 *   beside the dataset must therefore be reconciled against the live doc ids when the collection
 *   opens (the HNSW index is: ids it holds that are not live are deleted, live ids it lacks are
 *   added, live ids whose saved vector differs from the dataset's are relinked, `HNSW#holds`).
 * - **Liveness**: `alive[docId] === 1` for live documents. A text index sees
 *   `add(docId, text)` when a live document with text appears (insert, or a text change: `remove`
 *   first), and `remove(docId)` when it goes away (delete, text change).
 * - **Filters** compile to a {@link CompiledFilter} (`../filter/compile.ts`) whose `evaluate()`
 *   returns a bitset over doc ids: a `Uint32Array`, bit `id & 31` of word `id >>> 5` set when the
 *   live document `id` matches (`hasBit` in `bitset.ts`). Its length covers every allocated id at
 *   the time of evaluation; ids past its end do not match. A text search given such a bitset must
 *   return only ids whose bit is set.
 * - The hook a collection calls is {@link TextIndexHook} (in `../collection.ts`): `add`, `remove`,
 *   `search(query, k, filterBitmap | null)` returning `{ docId, score }[]` best first, and an
 *   optional `flush()` awaited after each write. `collection.attachTextIndex(hook)` attaches one
 *   and replays every live text into it; `collection.documents` is the {@link DocumentTable}
 *   (`texts[docId]`, `alive`, `numIds`); `collection.location` gives the dataset and index
 *   directories of a persisted collection (null in memory), to keep text-index files beside them.
 *   `search({ text })` and a string query without an embedder go to the attached hook.
 */
export {};
