/**
 * Where each node's and each link list's current row sits in `nodes.lance` / `connections.lance`,
 * so that an incremental save can delete the rows it supersedes. An entry is a node id (nodes) or
 * a list index (connections, numbered as in `checksums.ts`); what a row holds does not matter here.
 *
 * A row is named by its ordinal: the fragments of a dataset version, in manifest order, get
 * consecutive ranges of ordinals (`bases`), one per physical row, deleted ones included, and a
 * row's ordinal is its fragment's base plus its physical offset there. Unlike a live position
 * (an index among the live rows, which shifts with every row deleted before it), an ordinal stays
 * the same for as long as the row exists: an incremental save that appends k rows and deletes the
 * k' rows they supersede touches k + k' ordinals and no other, so its bookkeeping costs O(k + k')
 * (plus copying the ordinals array), not O(rows). Ordinals map to Lance row addresses
 * (fragment id · 2³² + offset, which @vego/io's `appendAndDelete` takes with `rowAddresses`)
 * through the fragment table, and appended fragments get the next ranges (`nextOrdinal`).
 *
 * Worked example: 5 entries saved whole in fragment 0 sit at ordinals [0, 1, 2, 3, 4] (bases [0],
 * next ordinal 5). A save that rewrites entries 1 and 3 and adds entry 5 appends their rows as
 * fragment 1 (base 5) and deletes the rows at addresses (0, 1) and (0, 3): the ordinals become
 * [0, 5, 2, 6, 4, 7], and the next ordinal 8. Nothing else moved.
 */
import type { Dataset } from '@vego/io';

/** 2³²: a row address is fragment id · 2³² + physical offset. */
const ADDRESS_FRAGMENT = 0x100000000;
/** Ordinals are int32: a dataset whose fragments would need more is rewritten whole instead. */
const MAX_ORDINAL = 0x7fffffff;

/** Where each entry's live row of one dataset version sits (see the top of this file). */
export interface RowPlaces {
  /** Ordinal of each entry's row (−1: none yet, only while planning a save). */
  ordinals: Int32Array;
  /** Ids of the version's fragments, in manifest order. */
  fragmentIds: number[];
  /** First ordinal of each fragment, ascending (a fragment's rows are `bases[f] … bases[f] + rows − 1`). */
  bases: number[];
  /** Physical rows of each fragment. */
  fragmentRows: number[];
  /** First ordinal of the next fragment appended. */
  nextOrdinal: number;
}

/** Positions of a whole save that wrote entry `i` as row `i` (fresh array). */
export function identityPositions(count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = i;
  return out;
}

/** The longest identity array {@link sharedIdentity} made so far. */
let identity: Int32Array = new Int32Array(0);

/**
 * 0, 1, …, count − 1 as a view of one array shared by every whole save (id columns, layer-0 node
 * columns, positions kept in saved states): never written by anyone, so a save reuses the last
 * one's instead of filling a fresh array (a new, longer one when it needs more; views of older
 * ones stay valid).
 */
export function sharedIdentity(count: number): Int32Array {
  if (identity.length < count) identity = identityPositions(Math.max(count, Math.ceil(identity.length * 1.25)));
  return identity.subarray(0, count);
}

/**
 * Moves per-list values kept for an index of `oldN` ids (`width` values per list) to the list
 * numbering of `n ≥ oldN` ids: layer-0 lists keep their index, upper lists move up by `n − oldN`
 * (new layer-0 lists come before them). Lists that did not exist get `fill` (fresh array; two
 * block copies and fills of the new ranges only).
 */
export function reindexLists<T extends Int32Array | Uint32Array>(old: T, width: number, oldN: number, n: number, numLists: number, fill: number): T {
  const out = (old instanceof Int32Array ? new Int32Array(width * numLists) : new Uint32Array(width * numLists)) as T;
  out.set(old.subarray(0, width * oldN), 0);
  out.set(old.subarray(width * oldN), width * n);
  if (fill !== 0) {
    out.fill(fill, width * oldN, width * n);
    out.fill(fill, width * n + (old.length - width * oldN));
  }
  return out;
}

/** The fragment table of `ds` with bases counted from 0 in manifest order (a version written whole, or loaded). */
function freshTable(ds: Dataset): Omit<RowPlaces, 'ordinals'> {
  const fragmentIds: number[] = [];
  const bases: number[] = [];
  const fragmentRows: number[] = [];
  let next = 0;
  for (const f of ds.fragments()) {
    fragmentIds.push(f.id);
    bases.push(next);
    fragmentRows.push(f.physicalRows);
    next += f.physicalRows;
  }
  return { fragmentIds, bases, fragmentRows, nextOrdinal: next };
}

/**
 * The places of the entries of dataset version `ds` whose rows sit at live positions `positions`
 * (a load, or a version written whole): the positions themselves when no fragment has deleted
 * rows (then ordinal = live position: no pass over them), else through the row addresses of the
 * rows (@vego/io's `rowAddresses`, reading the deletion files). Null when the fragments hold more
 * rows than ordinals reach (the next save rewrites the dataset).
 */
export function placesOf(ds: Dataset, positions: Int32Array): RowPlaces | null {
  const table = freshTable(ds);
  if (table.nextOrdinal > MAX_ORDINAL) return null;
  if (!ds.fragments().some((f) => f.hasDeletions)) return { ordinals: positions, ...table };
  const addresses = ds.rowAddresses(positions);
  const index = new Map<number, number>();
  for (let f = 0; f < table.fragmentIds.length; f++) index.set(table.fragmentIds[f]!, f);
  const ordinals = new Int32Array(positions.length);
  for (let e = 0; e < ordinals.length; e++) {
    const a = addresses[e]!;
    const id = Math.floor(a / ADDRESS_FRAGMENT);
    ordinals[e] = table.bases[index.get(id)!]! + (a - id * ADDRESS_FRAGMENT);
  }
  return { ordinals, ...table };
}

/** Row address (fragment id · 2³² + offset) of ordinal `ord` of `places`, or −1 when no fragment of the table holds it. */
function addressOf(places: RowPlaces, ord: number): number {
  const { bases, fragmentRows, fragmentIds } = places;
  if (bases.length === 0) return -1;
  let lo = 0;
  let hi = bases.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bases[mid]! <= ord) lo = mid;
    else hi = mid - 1;
  }
  const offset = ord - bases[lo]!;
  if (offset < 0 || offset >= fragmentRows[lo]!) return -1;
  return fragmentIds[lo]! * ADDRESS_FRAGMENT + offset;
}

/** The rows an incremental save of one dataset deletes, and what it needs to place the rows it appends. */
export interface AppendPlan {
  /** Row addresses (ascending) of the rows the save supersedes: delete them in the commit that appends the new ones. */
  superseded: Float64Array;
}

/**
 * Plans an incremental save of one dataset whose entries (`before.length` of them after the save)
 * had their rows at ordinals `before[e]` (−1 for an entry without a row yet, which must be among
 * `changed`) in `places`: the rows of `changed` (ascending entries) are appended in that order, and
 * their earlier rows deleted. O(k log k) for k changed entries. Returns null when the plan would
 * not leave one row per entry (`liveRows` live rows before, which must be one per old entry) or
 * the appended rows would run past the int32 ordinals: the caller rewrites the dataset whole.
 */
export function planAppend(places: RowPlaces, changed: Int32Array, before: Int32Array, liveRows: number): AppendPlan | null {
  const count = before.length;
  const k = changed.length;
  const found = new Float64Array(k);
  let d = 0;
  for (let j = 0; j < k; j++) {
    const ord = before[changed[j]!]!;
    if (ord < 0) continue;
    const a = addressOf(places, ord);
    if (a < 0) return null;
    found[d++] = a;
  }
  // Entries without a row are exactly the new ones (every old entry had one live row).
  if (liveRows + (k - d) !== count) return null;
  if (places.nextOrdinal + k > MAX_ORDINAL) return null;
  const superseded = found.subarray(0, d).sort();
  for (let j = 1; j < d; j++) if (superseded[j] === superseded[j - 1]) return null;
  return { superseded };
}

/**
 * The places after an append of `changed`'s rows (in that order) committed as `ds`, on top of the
 * version `before` described: fragments already in `before` keep their bases, the new ones (listed
 * after them, in the order written) get the next ranges, and entry `changed[j]` now sits at the
 * first new base + j. `ordinals` is the entries' array before the save, already in the new entry
 * numbering (it is updated in place: the caller passes a fresh copy). O(k + fragments).
 */
export function placesAfterAppend(before: RowPlaces, ordinals: Int32Array, changed: Int32Array, ds: Dataset): RowPlaces {
  const known = new Map<number, number>();
  for (let f = 0; f < before.fragmentIds.length; f++) known.set(before.fragmentIds[f]!, before.bases[f]!);
  const fragmentIds: number[] = [];
  const bases: number[] = [];
  const fragmentRows: number[] = [];
  let next = before.nextOrdinal;
  for (const f of ds.fragments()) {
    fragmentIds.push(f.id);
    fragmentRows.push(f.physicalRows);
    const base = known.get(f.id);
    if (base !== undefined) bases.push(base);
    else {
      bases.push(next);
      next += f.physicalRows;
    }
  }
  const first = before.nextOrdinal;
  for (let j = 0; j < changed.length; j++) ordinals[changed[j]!] = first + j;
  return { ordinals, fragmentIds, bases, fragmentRows, nextOrdinal: next };
}

/**
 * The live position of each of the first `count` entries' rows (fresh array): its ordinal's rank
 * among all entries' ordinals, since the live rows are exactly the entries' rows, in ordinal
 * order. O(entries + ordinals); for readers that take rows by live position (codes-only indexes).
 */
export function livePositions(places: RowPlaces, count: number): Int32Array {
  const { ordinals, nextOrdinal } = places;
  const rank = new Int32Array(nextOrdinal + 1);
  for (let e = 0; e < ordinals.length; e++) rank[ordinals[e]! + 1] = 1;
  for (let o = 1; o <= nextOrdinal; o++) rank[o]! += rank[o - 1]!;
  const out = new Int32Array(Math.min(count, ordinals.length));
  for (let e = 0; e < out.length; e++) out[e] = rank[ordinals[e]!]!;
  return out;
}
