/**
 * Randomized differential test against LanceDB 0.39, both directions, every storage version: each seed
 * draws a schema (every type @vego/arrow has, nested in lists and structs, nulls at every level) and the
 * rows of a create, appends and deletes (row counts around page and chunk edges, NaN payloads, -0, ±∞,
 * integer extremes, empty and long strings); one library writes, the other appends and deletes on top,
 * and both read everything back, compared byte for byte (fixtures/differential.ts, -run.ts). Seeds are
 * fixed, so a failure replays exactly: `runCase(dir, seed, direction, version)`.
 *
 * The campaign that found the regressions in `packages/format/test/differential-findings.test.ts` ran
 * the same cases over many more seeds (and larger row counts) outside the test suite.
 */
import { makeTempDir, removeDir } from './fixtures/helpers';
import { runCase } from './fixtures/differential-run';
import type { CaseOptions, CaseReport, CaseVersion, Direction } from './fixtures/differential-run';

/**
 * Seeds whose cases run fast (about 1 s for all six directions and versions) and between them draw most type
 * families: decimals, lists of ints, strings and large strings, durations, fixed-size binaries, floats of every
 * width, vectors, structs (with bools, dates, dictionaries), dictionaries of ints, 64-bit times, field metadata.
 * The campaign runs far more seeds, with larger row counts, outside the suite (`scripts/differential-campaign.cjs`).
 */
// 211: LanceDB's full-zip pages of vectors whose every item is null (`fixedSizeList(128, validity, constant(no value))`), refused before.
// 239: a large_utf8 page with a value past 32 KiB, which LanceDB compresses value by value with zstd (`general(zstd, variable(flat(64)))`), refused before.
// 266: a create from an empty batch (then appends with null structs in a list of structs): the 2.1/2.2 create declared 2.0 before.
// 2012, 2036: strings of tens of KiB in 2.1 (our create, our append to LanceDB's table): refused before (a mini-block
// chunk over 32 KiB); now full-zip pages, as LanceDB writes them.
const SEEDS = [2, 7, 11, 12, 15, 16, 17, 18, 19, 22, 25, 26, 27, 211, 239, 266, 2012, 2036];

/**
 * A null struct refused for a Lance 2.0 file (ours, then LanceDB's). Documented in 2.0 only: in a 2.1/2.2 case
 * it means a 2.0 file was written where the dataset asked for 2.1/2.2 (an empty create once declared 2.0).
 */
const NULL_STRUCT_REFUSAL = /cannot store null structs|does not encode struct validity/;

/**
 * What a writer or our reader may refuse, each with a typed error and documented (packages/format/README.md,
 * Limits): null structs in 2.0 (LanceDB too). LanceDB's full-zip pages of variable-width values or with
 * repetition levels (long strings, lists of vectors) are read, and long strings are written, not refused.
 */
const DOCUMENTED_REFUSALS = new RegExp([
  NULL_STRUCT_REFUSAL.source,
  // Not ours: apache-arrow's IPC writer drops the bitmap of an all-null Bool array, which LanceDB's Arrow refuses.
  'Need at least \\d+ bytes for bitmap',
].join('|'));

const CASES: [Direction, CaseVersion][] = [
  ['vego-writes', '2.0'], ['vego-writes', '2.1'], ['vego-writes', '2.2'],
  ['lancedb-writes', '2.0'], ['lancedb-writes', '2.1'], ['lancedb-writes', null],
];

describe.each(CASES)('differential against LanceDB: %s, Lance %s', (direction, version) => {
  let root: string;
  beforeEach(() => (root = makeTempDir('diff')));
  afterEach(() => removeDir(root));

  it.each(SEEDS)('seed %i reads the same values on both sides', async (seed) => {
    const report = await runCase(root, seed, direction, version);
    expect(report.problems).toEqual([]);
    for (const refusal of [report.refused, ...report.readRefusals]) {
      if (refusal === null) continue;
      expect(refusal).toMatch(DOCUMENTED_REFUSALS);
      if (version !== '2.0') expect(refusal).not.toMatch(NULL_STRUCT_REFUSAL);
    }
  });
});

/**
 * Seeds whose cases have LanceDB evolve the table between the two writers (fixtures/differential-evolve.ts),
 * chosen from a campaign run (`--evolve`) to cover every kind of step: casts and chained renames (6001),
 * compaction with the old files removed, an update that moves rows and a nullability change (6004), a cast,
 * an all-null column and a drop (6013), a SQL column and an all-null struct (6016), a computed column then a
 * drop (6027), a computed column and an all-null Bool (6036), an update (6043), a rename inside an added
 * all-null struct (6046), a struct child dropped (6048), an all-null vector column then compaction (6057).
 * Then the other library appends and deletes on the evolved table, and both read everything back.
 */
const EVOLVE_SEEDS = [6001, 6004, 6013, 6016, 6027, 6036, 6043, 6046, 6048, 6057];

/**
 * Seeds whose fields carry Lance encoding hints in their metadata (`lance-encoding:compression` zstd/lz4/none and
 * its level, `bss`, `rle-threshold`, `dict-*`, `general`, `structural-encoding` miniblock/fullzip), which LanceDB's
 * writer follows, chosen from a campaign run (`--hints`). 7017: 2.0 string bytes LanceDB compresses with zstd behind
 * a length prefix (CorruptDataError before); 7072: the 2.0 scheme `none` (refused as an unknown codec before).
 */
const HINT_SEEDS = [7017, 7072, 7058, 7064, 7162, 7188, 7270, 7332];

/** The harness's extra dimensions: their options, their seeds, and what shows in a report that each took effect. */
const DIMENSIONS: [string, CaseOptions, number[], (report: CaseReport) => void][] = [
  ['the table evolved by LanceDB between the writers', { evolve: true }, EVOLVE_SEEDS, (report) => {
    // Every step ran (none of these seeds draws one LanceDB fails on its own table).
    expect(report.evolutionFailed).toBeNull();
    expect(report.evolution.length).toBeGreaterThan(0);
  }],
  ['fields with Lance encoding hints', { hints: true }, HINT_SEEDS, (report) => {
    expect(report.schema.some((f) => f.includes('lance-encoding:'))).toBe(true);
  }],
];

describe.each(DIMENSIONS)('differential against LanceDB, %s', (_what, options, seeds, tookEffect) => {
  describe.each(CASES)('%s, Lance %s', (direction, version) => {
    let root: string;
    beforeEach(() => (root = makeTempDir('diff-dimension')));
    afterEach(() => removeDir(root));

    it.each(seeds)('seed %i reads the same values on both sides', async (seed) => {
      const report = await runCase(root, seed, direction, version, options);
      expect(report.problems).toEqual([]);
      expect(report.refused).toBeNull();
      expect(report.readRefusals).toEqual([]);
      tookEffect(report);
    });
  });
});
