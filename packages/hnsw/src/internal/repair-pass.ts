/**
 * The graph repair after deletes, as a pass that can stop after a bounded amount of work and
 * resume later (a "slice"), so that `delete` stays a tombstone mark and the repair's cost is
 * spread over the calls that follow it (or paid at once by `compact()`).
 *
 * What a whole pass does (the same whether it runs in one go or in slices, as long as nothing
 * but searches happens in between: searches do not change the graph, so the result is then
 * bit-identical):
 * 1. layer by layer, bottom-up: every live node whose list on that layer names a tombstone gets
 *    the list rebuilt by `Graph#repairList` (survivors kept, freed slots refilled from the
 *    tombstones' neighbours and a local beam search, picked by the selection heuristic); then the
 *    repaired nodes are added to their new neighbours' lists (`Graph#addBackLinks`);
 * 2. the tombstones of this pass (the ids deleted when it started) are unlinked: their own lists
 *    emptied; nothing live links to them any more;
 * 3. the entry point moves to a live node of the highest level if it was deleted, and live nodes
 *    left without an in-link on a layer are linked again from the entry point.
 *
 * Why changes between slices are safe: a node inserted (or updated) meanwhile gets its lists from
 * searches that only keep live nodes, and back-links only add that node, so no list can gain a
 * tombstone; a node deleted meanwhile is not one of this pass's tombstones (it keeps its lists and
 * still routes; the next pass unlinks it); nodes added after the start have ids past `end` and
 * name no tombstone, so the pass never looks at them.
 */
import { type Graph, STATE_ENTRY, STATE_MAX_LEVEL } from './graph';

/** Work units of one slice step: a node looked at, a list rebuilt, a node's back-links added. */
const COST_VISIT = 1;
const COST_REPAIR = 64;
const COST_BACK_LINKS = 16;
/**
 * Work of one automatic slice: about 2 list repairs (a beam search of efConstruction each, about
 * an insert's cost: roughly 1 ms together on 128-d data with efConstruction 200), so a search
 * that runs a slice costs at most about that much more.
 */
export const REPAIR_SLICE_WORK = 2 * COST_REPAIR;

/** Phases of a pass. */
const PHASE_LISTS = 0;
const PHASE_BACK_LINKS = 1;
const PHASE_FINISH = 2;

export class RepairPass {
  private readonly graph: Graph;
  private readonly ef: number;
  /** Node slots when the pass started: later ids never name a tombstone. */
  private readonly end: number;
  /** Top layer when the pass started. */
  private readonly top: number;
  /** 1 for the ids deleted when the pass started: the tombstones it unlinks. */
  private readonly doomed: Uint8Array;
  /** 1 for the nodes whose list on the current layer was rebuilt. */
  private readonly repaired: Uint8Array;
  private level: number;
  private phase: number;
  private cursor: number;
  /** Lists rebuilt and nodes relinked so far. */
  repairedLists: number;
  relinkedNodes: number;
  done: boolean;

  /**
   * @param graph - the graph (single-threaded use only)
   * @param ef - beam width of each list repair (`Graph#repairEf`)
   */
  constructor(graph: Graph, ef: number) {
    this.graph = graph;
    this.ef = ef;
    this.end = graph.count;
    this.top = graph.state[STATE_MAX_LEVEL]!;
    this.doomed = graph.deleted.slice(0, this.end);
    this.repaired = new Uint8Array(this.end);
    this.level = 0;
    this.phase = PHASE_LISTS;
    this.cursor = 0;
    this.repairedLists = 0;
    this.relinkedNodes = 0;
    this.done = false;
  }

  /**
   * Runs the pass on until about `budget` work units are spent (`Infinity`: to the end); returns
   * true once the pass is complete. The final step (unlinking, entry point, orphans) runs whole.
   */
  step(budget: number): boolean {
    const graph = this.graph;
    const levels = graph.levels;
    const end = this.end;
    let work = 0;
    while (!this.done && work < budget) {
      if (this.phase === PHASE_FINISH) {
        this.finish();
        this.done = true;
        break;
      }
      const level = this.level;
      const links = level === 0 ? graph.links0 : graph.upperLinks;
      const deleted = graph.deleted;
      const repaired = this.repaired;
      let u = this.cursor;
      if (this.phase === PHASE_LISTS) {
        for (; u < end && work < budget; u++) {
          work += COST_VISIT;
          if (deleted[u] !== 0 || levels[u]! < level) continue;
          if (!graph.listHasDropped(links, graph.listBase(u, level), -1)) continue;
          graph.repairList(u, level, -1, this.ef);
          repaired[u] = 1;
          this.repairedLists++;
          work += COST_REPAIR;
        }
        this.cursor = u;
        if (u === end) {
          this.phase = PHASE_BACK_LINKS;
          this.cursor = 0;
        }
      } else {
        // Once no live list on this layer names a tombstone, the repaired nodes are added to
        // their new neighbours' lists, as an insert does (heuristic pruning of full lists).
        for (; u < end && work < budget; u++) {
          work += COST_VISIT;
          if (repaired[u] === 0) continue;
          // A node deleted since its list was rebuilt is not linked to from anywhere new.
          if (deleted[u] === 0) graph.addBackLinks(u, level);
          work += COST_BACK_LINKS;
        }
        this.cursor = u;
        if (u === end) {
          repaired.fill(0);
          this.cursor = 0;
          if (level < this.top) {
            this.level = level + 1;
            this.phase = PHASE_LISTS;
          } else {
            this.phase = PHASE_FINISH;
          }
        }
      }
    }
    return this.done;
  }

  /** Unlinks this pass's tombstones, moves a deleted entry point, relinks orphaned live nodes. */
  private finish(): void {
    const graph = this.graph;
    const count = graph.count;
    const deleted = graph.deleted;
    const levels = graph.levels;
    const doomed = this.doomed;
    const state = graph.state;
    let best = -1;
    for (let d = 0; d < count; d++) {
      if (deleted[d] === 0) {
        if (best < 0 || levels[d]! > levels[best]!) best = d;
        continue;
      }
      if (d >= this.end || doomed[d] === 0) continue;
      graph.links0[d * graph.stride0] = 0;
      graph.dirty[d] = 1;
      for (let l = 1; l <= levels[d]!; l++) graph.upperLinks[graph.listBase(d, l)] = 0;
    }
    const ep = state[STATE_ENTRY]!;
    if (best < 0) {
      state[STATE_ENTRY] = -1;
      state[STATE_MAX_LEVEL] = 0;
      return;
    }
    if (ep < 0 || deleted[ep] !== 0) {
      state[STATE_ENTRY] = best;
      state[STATE_MAX_LEVEL] = levels[best]!;
    }
    this.relinkedNodes += relinkOrphans(graph);
  }
}

/**
 * Links again (as an insert would, from the entry point) every live node that no live node links
 * to on some layer it belongs to; returns how many.
 */
function relinkOrphans(graph: Graph): number {
  const count = graph.count;
  const deleted = graph.deleted;
  const levels = graph.levels;
  const ep = graph.state[STATE_ENTRY]!;
  const maxLevel = graph.state[STATE_MAX_LEVEL]!;
  const linked = new Uint8Array(count);
  const orphan = new Uint8Array(count);
  for (let level = 0; level <= maxLevel; level++) {
    const links = level === 0 ? graph.links0 : graph.upperLinks;
    linked.fill(0);
    for (let u = 0; u < count; u++) {
      if (deleted[u] !== 0 || levels[u]! < level) continue;
      const base = graph.listBase(u, level);
      const n = links[base]!;
      for (let j = 1; j <= n; j++) linked[links[base + j]!] = 1;
    }
    for (let u = 0; u < count; u++) {
      if (deleted[u] === 0 && levels[u]! >= level && linked[u] === 0 && u !== ep) orphan[u] = 1;
    }
  }
  let relinked = 0;
  for (let u = 0; u < count; u++) {
    if (orphan[u] === 0) continue;
    graph.linkFrom(u, levels[u]!, ep, maxLevel);
    relinked++;
  }
  return relinked;
}
