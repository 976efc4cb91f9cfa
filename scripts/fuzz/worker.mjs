// One fuzz worker: a child process with a capped heap that runs cases sent by the parent (run.mjs)
// one at a time and reports how each ended. The parent enforces the time limit and notices crashes.
//   argv: <corpusDir> <scratchDir> <rssCapMiB>
import fs, { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { seededRandom } from './lib.mjs';
import { initTargets, isVegoError, runCase } from './targets.mjs';

const [corpusDir, scratch, rssCapArg] = process.argv.slice(2);
const rssCapKiB = Number(rssCapArg) * 1024;
const targets = JSON.parse(readFileSync(join(corpusDir, 'corpus.json'), 'utf8'));

/** Harness self-test kinds: each must be reported as a failure of its own kind. */
function selfTest(mode) {
  if (mode === 'throw') throw new TypeError('a plain TypeError (self-test)');
  if (mode === 'hang') for (;;);
  if (mode === 'oom') {
    const hold = [];
    for (;;) hold.push(new Array(1e7).fill(hold.length + 0.5));
  }
  if (mode === 'memory') {
    const big = new Uint8Array(Number(rssCapArg) * 1024 * 1024 + (64 << 20));
    big.fill(1);
    return `${big.length} bytes`;
  }
  return 'ok';
}

// Every path the readers touch, checked while a case reads: a dataset or index is the folder
// <scratch>/case, and nothing outside it (nor the decoy Lance files planted in and beside it) may be
// opened, listed, written or deleted. fs methods are looked up at call time by the compiled packages,
// so wrapping them here sees every access.
const caseDir = resolve(scratch, 'case');
const decoys = new Set([resolve(caseDir, 'outside.lance'), resolve(scratch, 'outside.lance')]);
let watching = false;
let outside = [];
function watch(name, fn) {
  return function (...args) {
    if (watching) {
      for (const a of args.slice(0, name === 'renameSync' || name === 'copyFileSync' || name === 'linkSync' ? 2 : 1)) {
        if (typeof a !== 'string' && !(a instanceof URL) && !Buffer.isBuffer(a)) continue;
        const p = resolve(String(a instanceof URL ? a.pathname : a));
        if (decoys.has(p) || !(p === caseDir || p.startsWith(caseDir + sep))) outside.push(`${name} ${p}`);
      }
    }
    return fn.apply(this, args);
  };
}
const FS_SYNC = ['openSync', 'readFileSync', 'statSync', 'lstatSync', 'existsSync', 'readdirSync', 'unlinkSync', 'rmSync', 'rmdirSync', 'renameSync', 'writeFileSync', 'copyFileSync', 'linkSync', 'realpathSync', 'accessSync', 'truncateSync', 'mkdirSync', 'open', 'readFile', 'stat', 'lstat', 'readdir', 'unlink', 'rm', 'rename', 'writeFile'];
const FS_PROMISES = ['open', 'readFile', 'stat', 'lstat', 'readdir', 'unlink', 'rm', 'rmdir', 'rename', 'writeFile', 'copyFile', 'link', 'realpath', 'access', 'truncate', 'mkdir'];
for (const name of FS_SYNC) {
  const original = fs[name];
  if (typeof original !== 'function') continue;
  fs[name] = watch(name, original);
  // realpathSync.native and realpath.native hang off the function: keep them, watched too.
  if (typeof original.native === 'function') fs[name].native = watch(`${name}.native`, original.native);
}
for (const name of FS_PROMISES) if (typeof fs.promises[name] === 'function') fs.promises[name] = watch(`promises.${name}`, fs.promises[name]);

await initTargets();
process.on('message', (msg) => {
  const record = { id: msg.id, ops: [], file: undefined, baseline: msg.baseline === true, manifestClaims: msg.manifestClaims === true };
  // Written synchronously before the read, so a case that kills the worker is still reported with its mutations.
  record.prepared = () => {
    writeFileSync(join(scratch, 'current.json'), JSON.stringify({ id: msg.id, file: record.file, ops: record.ops }));
    outside = [];
    watching = true;
  };
  const started = process.hrtime.bigint();
  let outcome;
  try {
    const detail = msg.selfTest !== undefined
      ? selfTest(msg.selfTest)
      : runCase(targets[msg.target], corpusDir, scratch, seededRandom(msg.seed), record);
    outcome = { outcome: 'ok', detail };
  } catch (e) {
    if (isVegoError(e)) outcome = { outcome: 'typed', code: e.code, message: String(e.message).slice(0, 300) };
    else outcome = { outcome: 'untyped', name: e?.name ?? typeof e, message: String(e?.message ?? e).slice(0, 500), stack: String(e?.stack ?? '').split('\n').slice(0, 12).join('\n') };
  }
  watching = false;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // A reader touched a path outside the dataset folder (issue 12 item 1): a failure with --check-escapes.
  if (outside.length > 0) {
    const touched = [...new Set(outside)].slice(0, 5).join('; ');
    outcome = msg.checkEscapes === true
      ? { outcome: 'escape', message: `touched outside the dataset folder: ${touched} (then ${outcome.outcome}${outcome.code ? ' ' + outcome.code : ''})` }
      : { ...outcome, escaped: touched };
  }
  // ArrayBuffers live outside the capped heap: a peak RSS over the cap means a huge allocation.
  const maxRssKiB = process.resourceUsage().maxRSS;
  if (maxRssKiB > rssCapKiB) {
    outcome = { outcome: 'memory', message: `peak RSS ${Math.round(maxRssKiB / 1024)} MiB exceeds the ${rssCapArg} MiB cap (after ${outcome.outcome}${outcome.code ? ' ' + outcome.code : ''})` };
  }
  // A damaged index that loaded but differs from the undamaged one: reported (silent damage), not a failure.
  if (outcome.outcome === 'ok' && record.differs !== undefined) outcome.differs = record.differs;
  const { prepared, ...plain } = record;
  process.send({ ...plain, ...outcome, ms }, () => {
    // The high-water mark cannot be reset: a worker that went over is replaced.
    if (outcome.outcome === 'memory') process.exit(0);
  });
});
process.send({ ready: true });
