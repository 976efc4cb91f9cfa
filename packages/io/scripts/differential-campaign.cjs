// A differential campaign against LanceDB 0.39: the cases of test/lancedb-differential.test.ts over a range of
// seeds, outside jest (many more seeds, larger row counts). One process, one case at a time: the campaign is meant
// to run beside other work on a small machine. Each case appends one JSON line (its CaseReport, `big`, `ms`) to the
// log as soon as it ends, so nothing is lost when the run is stopped, and a run with the same log skips the cases
// the log already holds (resume). At the end it prints, per direction and version, the cases that passed, those
// with wrong values (`problems`), those where only LanceDB's queries threw (our reads agreeing: LanceDB failing on
// its own table or on a mix, to triage), our typed read refusals and writer refusals, then each distinct message with its
// seeds. Run from the repository root:
//
//   node packages/io/scripts/differential-campaign.cjs --seeds 240-319 --log /tmp/campaign.jsonl [--big]
//   node packages/io/scripts/differential-campaign.cjs --seeds 244,266 --log /tmp/recheck.jsonl
//   node packages/io/scripts/differential-campaign.cjs --summary /tmp/campaign.jsonl
//
// `--evolve` has LanceDB evolve the table between the two writers (drop, rename, cast, add columns, field
// metadata, nullability, update, compaction: test/fixtures/differential-evolve.ts); LanceDB failing a step on its
// own table is noted (`evolutionFailed`), not counted as ours. `--hints` puts Lance encoding hints in the fields'
// metadata (`lance-encoding:compression`, `bss`, `rle-threshold`, `dict-*`, `structural-encoding`, `packed`), which
// LanceDB's writer follows. `--big` lets a batch have tens of thousands of rows (a case then takes up to a minute); it changes the plan only
// of seeds that draw a large batch. To minimise a finding, replay one case with `runCase(dir, seed, direction,
// version, { big, evolve, hints })` from test/fixtures/differential-run.ts.
require('../test/fixtures/register-ts.cjs');
const fs = require('node:fs');

/** The six directions and versions of the jest test (null: LanceDB's default storage version). */
const CASES = [
  ['vego-writes', '2.0'], ['vego-writes', '2.1'], ['vego-writes', '2.2'],
  ['lancedb-writes', '2.0'], ['lancedb-writes', '2.1'], ['lancedb-writes', null],
];

function parseArgs(argv) {
  const args = { seeds: null, log: null, big: false, evolve: false, hints: false, summary: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--big') args.big = true;
    else if (a === '--evolve') args.evolve = true;
    else if (a === '--hints') args.hints = true;
    else if (a === '--seeds') args.seeds = parseSeeds(argv[++i]);
    else if (a === '--log') args.log = argv[++i];
    else if (a === '--summary') args.summary = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.summary === null && (args.seeds === null || args.log === null)) throw new Error('usage: --seeds FROM-TO|A,B,… --log FILE [--big] [--evolve] [--hints] | --summary FILE');
  return args;
}

/** `240-319` or `244,266` (or both, comma-separated). */
function parseSeeds(text) {
  return text.split(',').flatMap((part) => {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (m === null) return [Number(part)];
    return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, k) => Number(m[1]) + k);
  });
}

const caseKey = (seed, direction, version) => `${seed}/${direction}/${version}`;

function readLog(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

async function run({ seeds, log, big, evolve, hints }) {
  const { runCase } = require('../test/fixtures/differential-run.ts');
  const { makeTempDir, removeDir } = require('../test/fixtures/helpers.ts');
  const done = new Set(readLog(log).map((r) => caseKey(r.seed, r.direction, r.version)));
  for (const seed of seeds) {
    for (const [direction, version] of CASES) {
      if (done.has(caseKey(seed, direction, version))) continue;
      const root = makeTempDir('campaign');
      const t0 = Date.now();
      let report;
      try {
        report = await runCase(root, seed, direction, version, { big, evolve, hints });
      } catch (e) {
        // runCase reports what differed instead of throwing; a throw is itself a finding.
        report = { seed, direction, version, crashed: String((e && e.stack) || e).slice(0, 2000) };
      } finally {
        removeDir(root);
      }
      fs.appendFileSync(log, `${JSON.stringify({ ...report, big, evolve, hints, ms: Date.now() - t0 })}\n`);
    }
  }
}

/** Per direction and version: passed, wrong values, read refusals, writer refusals, crashes; then each message. */
function summarize(file) {
  const reports = readLog(file);
  const rows = new Map();
  const messages = new Map();
  const note = (kind, text, r) => {
    // Numbers differ from case to case; the message without them groups one cause.
    const key = `${kind}: ${text.replace(/\d+/g, 'N').slice(0, 300)}`;
    if (!messages.has(key)) messages.set(key, []);
    messages.get(key).push(`${r.seed}/${r.direction === 'vego-writes' ? 'v' : 'l'}${r.version ?? 'default'}`);
  };
  // Evolution steps LanceDB failed on its own table, by seed: the same step failing on ours is its limit too.
  const failedOnOwn = new Set();
  for (const r of reports) if (r.evolutionFailed) failedOnOwn.add(`${r.seed}/${r.evolutionFailed.split(': ')[0]}`);
  const ownFailure = (r, p) => {
    const m = /^LanceDB "(.*)" on our dataset threw/.exec(p);
    return m !== null && failedOnOwn.has(`${r.seed}/${m[1]}`);
  };
  for (const r of reports) {
    const combo = `${r.direction} ${r.version ?? 'default'}`;
    if (!rows.has(combo)) rows.set(combo, { cases: 0, passed: 0, wrong: [], lancedbThrew: [], readRefused: [], writerRefused: [], crashed: [] });
    const row = rows.get(combo);
    row.cases++;
    if (r.crashed !== undefined) {
      row.crashed.push(r.seed);
      note('crashed', r.crashed.split('\n')[0], r);
      continue;
    }
    // A case whose every problem is a LanceDB query throwing (our reads agreeing with what was written), where
    // LanceDB failed on its own table (the oracle check) or only after its own append to ours, is listed apart:
    // to triage, not a wrong value of ours. LanceDB failing on a dataset only we wrote stays a wrong value.
    // So is a case whose only problem is LanceDB failing an evolution step on ours that it failed on its own table,
    // or LanceDB's encoder failing on the batch it appends (with a forced mini-block layout it sizes chunks past its
    // 16-bit chunk metadata; it fails the same adding that batch to its own table: seed 7224).
    const ownEncoder = (p) => /^LanceDB append\/delete on our .* too large for 16-bit metadata/.test(p);
    const lancedbOnly = r.problems.length > 0 && ((r.problems.every((p) => /LanceDB query threw/.test(p)) &&
      (r.problems.some((p) => /\(oracle check\)/.test(p)) || r.problems.every((p) => /^LanceDB reads its writes on our/.test(p)))) ||
      r.problems.every((p) => ownFailure(r, p) || ownEncoder(p)));
    if (lancedbOnly) row.lancedbThrew.push(r.seed);
    else if (r.problems.length > 0) row.wrong.push(r.seed);
    if (r.readRefusals.length > 0) row.readRefused.push(r.seed);
    if (r.refused !== null) row.writerRefused.push(r.seed);
    if (r.problems.length + r.readRefusals.length === 0 && r.refused === null) row.passed++;
    for (const p of r.problems) note(lancedbOnly ? 'LanceDB threw' : 'wrong', p, r);
    for (const p of r.readRefusals) note('read refusal', p, r);
    if (r.refused !== null) note('writer refusal', r.refused, r);
    if (r.evolutionFailed) note('LanceDB failed to evolve its own table', r.evolutionFailed, r);
  }
  for (const [combo, row] of rows) {
    console.log(`${combo}: ${row.cases} cases, ${row.passed} passed; wrong [${row.wrong}]; LanceDB threw [${row.lancedbThrew}]; read refusals [${row.readRefused}]; writer refusals [${row.writerRefused}]; crashed [${row.crashed}]`);
  }
  for (const [key, cases] of messages) console.log(`\n${key}\n  ${cases.join(' ')}`);
}

const args = parseArgs(process.argv.slice(2));
if (args.summary !== null) summarize(args.summary);
else run(args).then(() => summarize(args.log), (e) => {
  console.error(e);
  process.exitCode = 1;
});
