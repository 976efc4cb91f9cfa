/**
 * kill -9 of a writer during an S3 commit: the server kills the writing child process when a chosen
 * request of a chosen commit arrives (a data-file PUT, or the manifest's conditional PUT, dropped or
 * let through). The dataset must stay readable, hold only complete appends, and take new ones.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Dataset, type StorageOptions } from '@vego/io';
import { startS3Server, type S3TestServer } from './support/s3-server';
import { seededRandom } from './fixtures/helpers';

const WRITER = path.join(__dirname, 'fixtures', 's3-writer.cjs');
let server: S3TestServer;
let options: StorageOptions;

beforeAll(async () => {
  server = await startS3Server();
  options = { aws_endpoint: server.endpoint, allow_http: 'true', aws_access_key_id: 'k', aws_secret_access_key: 's' };
});
afterAll(() => server.close());

/** Per dataset key prefix, what the server does with a request (the three writers run at once). */
const handlers = new Map<string, (method: string, at: string) => 'drop' | undefined>();

/** Runs the writer until the server kills it at request `which` of commit `version`; resolves with its stdout. */
function runUntilKilled(uri: string, version: number, which: 'data' | 'manifest-dropped' | 'manifest-done'): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [WRITER, server.endpoint, uri, '50'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const key = uri.slice('s3://'.length);
  let dataPuts = 0;
  let fired = false;
  handlers.set(`${key}/`, (method, at) => {
    if (method !== 'PUT' || fired) return undefined;
    const won = out.split('\n').filter((l) => l.startsWith('won')).length;
    if (won !== version - 1) return undefined;
    if (which === 'data' && at.includes('/data/') && ++dataPuts === 2) {
      fired = true;
      child.kill('SIGKILL');
      return 'drop';
    }
    if (which !== 'data' && at.includes('/_versions/')) {
      fired = true;
      child.kill('SIGKILL');
      return which === 'manifest-dropped' ? 'drop' : undefined;
    }
    return undefined;
  });
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ out, signal })));
}

async function checkComplete(uri: string): Promise<Dataset> {
  const ds = await Dataset.open(uri, { storageOptions: options });
  const count = new Map<number, number>();
  for await (const b of ds.scan()) for (let i = 0; i < b.numRows; i++) count.set(b.column('seq').get(i) as number, (count.get(b.column('seq').get(i) as number) ?? 0) + 1);
  for (let s = 1; s <= ds.version; s++) expect([s, count.get(s)]).toEqual([s, 50 * s]);
  expect(count.size).toBe(ds.version);
  return ds;
}

describe('kill -9 during an S3 commit', () => {
  const random = seededRandom(2026);
  const kinds = ['data', 'manifest-dropped', 'manifest-done'] as const;
  const versions = kinds.map(() => 2 + Math.floor(random() * 4));
  let runs: Promise<{ out: string; signal: NodeJS.Signals | null }>[];
  beforeAll(() => {
    server.onRequest = (method, at) => {
      for (const [prefix, h] of handlers) if (at.startsWith(prefix)) return h(method, at);
      return undefined;
    };
    // The three writers run at once (each child spends seconds loading the TypeScript sources).
    runs = kinds.map((which, i) => runUntilKilled(`s3://crash/${which}`, versions[i]!, which));
  });
  afterAll(() => {
    server.onRequest = null;
  });
  kinds.forEach((which, i) => {
    it(`leaves the last committed version readable (killed at the ${which} PUT)`, async () => {
      const version = versions[i]!;
      const uri = `s3://crash/${which}`;
      const { signal } = await runs[i]!;
      expect(signal).toBe('SIGKILL');
      const ds = await checkComplete(uri);
      expect(ds.version).toBe(which === 'manifest-done' ? version : version - 1);
      const next = await ds.append(Array.from({ length: 50 * (ds.version + 1) }, (_, k) => ({ seq: ds.version + 1, k })));
      await checkComplete(uri);
      expect(next.version).toBe(ds.version + 1);
    });
  });
});
