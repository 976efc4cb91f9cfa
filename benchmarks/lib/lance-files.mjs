// Helpers of the @vego/io suite for measuring against LanceDB and Node's own reads: the Lance version a
// data file says it is (read from its footer, so a table can state what each engine actually wrote), the
// byte ranges a read of one column asks its source for, and CPU time of one call.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The storage version of the first data file under `dir` (a dataset directory), from the file's footer:
 * `… major u16, minor u16, "LANC"`. Lance 2.0 files say 0.3 in their footer.
 */
export function dataFileVersion(dir) {
  const data = path.join(dir, 'data');
  const file = fs.readdirSync(data).find((f) => f.endsWith('.lance'));
  if (file === undefined) throw new Error(`no data file in ${data}`);
  const fd = fs.openSync(path.join(data, file), 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const tail = Buffer.alloc(8);
    fs.readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4, 8) !== 'LANC') throw new Error(`${file}: no Lance footer`);
    const major = tail.readUInt16LE(0);
    const minor = tail.readUInt16LE(2);
    return major === 0 && minor === 3 ? '2.0' : `${major}.${minor}`;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * An AsyncByteSource over `src` that records every `[position, length]` asked of it into `log` (when set),
 * so that Node's own reads can be given exactly the byte ranges a Lance read asks for.
 */
export function recordingSource(src) {
  const rec = { log: null };
  const source = {
    byteLength: src.byteLength,
    read(position, length) {
      rec.log?.push([position, length]);
      return src.read(position, length);
    },
  };
  return { source, rec };
}

/** CPU milliseconds (user + system, every thread of the process) and wall milliseconds of one awaited call. */
export async function cpuAndWall(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
}
