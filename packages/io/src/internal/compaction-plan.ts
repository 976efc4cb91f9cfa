/**
 * Which fragments a compaction rewrites (`Dataset.compactSync`), decided from row counts alone.
 *
 * A fragment is a candidate when it holds fewer live rows than the target, or (when deletions are
 * materialised) when more than `threshold` of its physical rows are deleted. Candidates next to each
 * other in fragment order form a run; a run is rewritten, as new fragments of up to `target` rows,
 * when that lowers the number of fragments or when one of its fragments passes the deletion
 * threshold. Everything else keeps its files and its place. Worked example, target 100, threshold 0.1:
 * ```text
 * live/physical   40/40  100/100  30/30  20/20  95/100  100/100  60/100
 * candidate       yes    no       yes    yes    yes     no       yes (40% deleted)
 * runs            [0]             [2, 3, 4]             [6]
 * rewritten?      no: one        yes: 145 rows, 3 → 2   yes: one fragment, but its
 *                 fragment                             deletions pass the threshold
 * ```
 * After a compaction the plan of the new version is empty: every fragment it wrote but the last of
 * a run holds `target` rows, and the last one stands alone between fragments that were no candidates.
 */

/** Row counts of one fragment. */
export interface FragmentRows {
  physicalRows: number;
  /** Physical rows minus deleted ones. */
  liveRows: number;
}

/** Fragments `[first, end)` (indices in fragment order), to be rewritten together. */
export interface CompactionRun {
  first: number;
  end: number;
}

/**
 * The runs of fragments to rewrite, in fragment order (none when nothing would improve).
 * @param target - rows per new fragment (positive).
 * @param deletionThreshold - fraction of deleted rows above which a fragment is rewritten whatever
 *   its size; null when deletions are not materialised for their own sake.
 */
export function planCompaction(fragments: readonly FragmentRows[], target: number, deletionThreshold: number | null): CompactionRun[] {
  const tooDeleted = (f: FragmentRows): boolean =>
    deletionThreshold !== null && f.physicalRows > 0 && (f.physicalRows - f.liveRows) / f.physicalRows > deletionThreshold;
  const runs: CompactionRun[] = [];
  let i = 0;
  while (i < fragments.length) {
    const f = fragments[i]!;
    if (f.liveRows >= target && !tooDeleted(f)) {
      i++;
      continue;
    }
    const first = i;
    let live = 0;
    let materialise = false;
    for (; i < fragments.length; i++) {
      const g = fragments[i]!;
      if (g.liveRows >= target && !tooDeleted(g)) break;
      live += g.liveRows;
      materialise ||= tooDeleted(g);
    }
    if (materialise || Math.ceil(live / target) < i - first) runs.push({ first, end: i });
  }
  return runs;
}
