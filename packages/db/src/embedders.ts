/**
 * HTTP embedders (with the platform's `fetch`, so they work in Node ≥ 18 and browsers):
 * - {@link ollamaEmbedder}: Ollama's `POST /api/embed` (`{ model, input: string[] }` →
 *   `{ embeddings: number[][] }`);
 * - {@link openAIEmbedder}: OpenAI-compatible `POST /v1/embeddings` (llama.cpp's server, LM Studio,
 *   vLLM, …: `{ model, input: string[] }` → `{ data: [{ index, embedding }] }`).
 * Both return an {@link EmbedFunction} for a collection's `embed` option, send texts in batches,
 * and check what comes back (count, numbers) before any of it is used.
 */
import { CorruptDataError, InvalidArgumentError, IoError } from '@vego/hnsw';
import type { EmbedFunction } from './collection-config';

/** Options shared by the HTTP embedders. */
export interface HttpEmbedderOptions {
  /** Base URL of the server (e.g. `http://127.0.0.1:11434` for Ollama, `http://127.0.0.1:8080` for llama.cpp). */
  url: string;
  /** Model name sent with each request. */
  model: string;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Extra request headers (e.g. `Authorization`). */
  headers?: Record<string, string>;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/** Options of {@link openAIEmbedder}. */
export interface OpenAIEmbedderOptions extends HttpEmbedderOptions {
  /** Sent as `Authorization: Bearer …` when given. */
  apiKey?: string;
  /** Requested output dimension (`dimensions`), for models that support it. */
  dimensions?: number;
}

function checkOptions(o: HttpEmbedderOptions): { base: string; batch: number; f: typeof fetch } {
  if (typeof o !== 'object' || o === null) throw new InvalidArgumentError('embedder options must be an object');
  if (typeof o.url !== 'string' || !/^https?:\/\//.test(o.url)) throw new InvalidArgumentError(`\`url\` must be an http(s) URL, got ${String(o.url)}`);
  if (typeof o.model !== 'string' || o.model.length === 0) throw new InvalidArgumentError('`model` must be a non-empty string');
  const batch = o.batchSize ?? 64;
  if (!Number.isInteger(batch) || batch <= 0) throw new InvalidArgumentError(`\`batchSize\` must be a positive integer, got ${batch}`);
  const f = o.fetch ?? globalThis.fetch;
  if (typeof f !== 'function') throw new InvalidArgumentError('no `fetch` available: pass one in the options');
  return { base: o.url.replace(/\/+$/, ''), batch, f };
}

async function postJson(f: typeof fetch, url: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
  let res: Response;
  try {
    res = await f(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  } catch (e) {
    throw new IoError(`embedding request to ${url} failed: ${(e as Error).message}`, url, { cause: e });
  }
  const text = await res.text();
  if (!res.ok) throw new IoError(`embedding request to ${url} returned HTTP ${res.status}: ${text.slice(0, 200)}`, url);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CorruptDataError(`embedding response from ${url} is not JSON`, { cause: e });
  }
}

function toVector(v: unknown, url: string, i: number): Float32Array {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new CorruptDataError(`embedding response from ${url}: embedding ${i} is not a non-empty array of finite numbers`);
  }
  return Float32Array.from(v as number[]);
}

async function inBatches(texts: readonly string[], batch: number, one: (part: string[]) => Promise<Float32Array[]>): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += batch) out.push(...(await one(texts.slice(i, i + batch))));
  return out;
}

/**
 * An embedder calling Ollama's `POST {url}/api/embed`.
 * @example
 * ```ts
 * const embed = ollamaEmbedder({ url: 'http://127.0.0.1:11434', model: 'nomic-embed-text' });
 * const notes = await db.collection('notes', { dimension: 768, embed });
 * ```
 * @throws (when called) IoError for a failed request or HTTP error; CorruptDataError for a
 *   response that is not the expected shape or count.
 */
export function ollamaEmbedder(options: HttpEmbedderOptions): EmbedFunction {
  const { base, batch, f } = checkOptions(options);
  const url = `${base}/api/embed`;
  return (texts) => inBatches(texts, batch, async (input) => {
    const r = (await postJson(f, url, { model: options.model, input }, options.headers ?? {})) as { embeddings?: unknown };
    if (!Array.isArray(r?.embeddings) || r.embeddings.length !== input.length) {
      throw new CorruptDataError(`embedding response from ${url}: expected \`embeddings\` with ${input.length} vectors`);
    }
    return r.embeddings.map((v, i) => toVector(v, url, i));
  });
}

/**
 * An embedder calling an OpenAI-compatible `POST {url}/v1/embeddings` (give the server's base URL,
 * without `/v1`). Results are put in input order by their `index`.
 * @throws (when called) as {@link ollamaEmbedder}.
 */
export function openAIEmbedder(options: OpenAIEmbedderOptions): EmbedFunction {
  const { base, batch, f } = checkOptions(options);
  const url = `${base}/v1/embeddings`;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.apiKey !== undefined) headers['authorization'] = `Bearer ${options.apiKey}`;
  return (texts) => inBatches(texts, batch, async (input) => {
    const body: Record<string, unknown> = { model: options.model, input };
    if (options.dimensions !== undefined) body['dimensions'] = options.dimensions;
    const r = (await postJson(f, url, body, headers)) as { data?: unknown };
    if (!Array.isArray(r?.data) || r.data.length !== input.length) {
      throw new CorruptDataError(`embedding response from ${url}: expected \`data\` with ${input.length} embeddings`);
    }
    const out = new Array<Float32Array>(input.length);
    r.data.forEach((item: unknown, j: number) => {
      const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
      const i = index === undefined ? j : index;
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= input.length || out[i] !== undefined) {
        throw new CorruptDataError(`embedding response from ${url}: bad or repeated index ${String(index)}`);
      }
      out[i] = toVector(embedding, url, i);
    });
    return out;
  });
}
