import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CorruptDataError, Database, IoError, InvalidArgumentError, ollamaEmbedder, openAIEmbedder } from '@vego/db';

/** A toy embedding: [length, vowels, 1]. */
const toy = (t: string): number[] => [t.length, (t.match(/[aeiou]/g) ?? []).length, 1];

interface Seen { path: string; body: { model: string; input: string[]; dimensions?: number }; auth: string | undefined }

/** A local server speaking Ollama's /api/embed and OpenAI's /v1/embeddings, plus broken routes. */
function startServer(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      seen.push({ path: req.url!, body, auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/embed' && req.method === 'POST') {
        res.end(JSON.stringify({ model: body.model, embeddings: body.input.map(toy) }));
      } else if (req.url === '/v1/embeddings' && req.method === 'POST') {
        // Out of order on purpose: clients must place them by `index`.
        const data = body.input.map((t: string, index: number) => ({ object: 'embedding', index, embedding: toy(t) })).reverse();
        res.end(JSON.stringify({ object: 'list', data, model: body.model }));
      } else if (req.url === '/short/api/embed') {
        res.end(JSON.stringify({ embeddings: [[1, 2, 3]] }));
      } else if (req.url === '/nan/v1/embeddings') {
        res.end(JSON.stringify({ data: body.input.map((_t: string, index: number) => ({ index, embedding: [1, 'x', 3] })) }));
      } else {
        res.statusCode = 404;
        res.end('{"error":"not found"}');
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

describe('HTTP embedders', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  it('ollamaEmbedder posts batches to /api/embed and a collection inserts and searches by text with it', async () => {
    const embed = ollamaEmbedder({ url: srv.url + '/', model: 'toy', batchSize: 2 });
    const c = await Database.memory().createCollection('t', { dimension: 3, distance: 'l2', embed });
    srv.seen.length = 0;
    await c.insertMany([{ key: 'a', text: 'hi' }, { key: 'b', text: 'hello there' }, { key: 'c', text: 'a much longer sentence here' }]);
    expect(srv.seen.map((s) => [s.path, s.body.model, s.body.input])).toEqual([
      ['/api/embed', 'toy', ['hi', 'hello there']],
      ['/api/embed', 'toy', ['a much longer sentence here']],
    ]);
    expect((await c.get('b', { select: ['vector'] }))!.vector).toEqual(new Float32Array(toy('hello there')));
    expect((await c.search('hello world', 1))[0]!.key).toBe('b');
  });

  it('openAIEmbedder posts to /v1/embeddings with the key and dimensions, and orders results by index', async () => {
    const embed = openAIEmbedder({ url: srv.url, model: 'm', apiKey: 'sk-test', dimensions: 3 });
    srv.seen.length = 0;
    const out = await embed(['a', 'bbbb', 'ccccccc']);
    expect(out).toEqual([toy('a'), toy('bbbb'), toy('ccccccc')].map((v) => new Float32Array(v)));
    expect(srv.seen[0]).toEqual({ path: '/v1/embeddings', body: { model: 'm', input: ['a', 'bbbb', 'ccccccc'], dimensions: 3 }, auth: 'Bearer sk-test' });
  });

  it('throws typed errors for HTTP errors, wrong counts, non-numbers and bad options', async () => {
    await expect(ollamaEmbedder({ url: srv.url + '/missing', model: 'm' })(['x'])).rejects.toBeInstanceOf(IoError);
    await expect(ollamaEmbedder({ url: srv.url + '/short', model: 'm' })(['x', 'y'])).rejects.toBeInstanceOf(CorruptDataError);
    await expect(openAIEmbedder({ url: srv.url + '/nan', model: 'm' })(['x'])).rejects.toThrow(/not a non-empty array of finite numbers/);
    await expect(ollamaEmbedder({ url: 'http://127.0.0.1:1', model: 'm' })(['x'])).rejects.toBeInstanceOf(IoError);
    expect(() => ollamaEmbedder({ url: 'ftp://x', model: 'm' })).toThrow(InvalidArgumentError);
    expect(() => openAIEmbedder({ url: srv.url, model: '' })).toThrow(/model/);
  });
});
