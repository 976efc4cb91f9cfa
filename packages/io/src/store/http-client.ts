/**
 * The request loop shared by the object stores: at most `maxInFlight` requests at once (the rest
 * wait in order), and a request answered with throttling (429, S3's 503 SlowDown), another 5xx, or
 * failing at the network level is sent again after an exponential backoff with jitter (honouring
 * `Retry-After`), up to `maxRetries` times and within `retryTimeoutMs`, as object_store does for Lance.
 * Only `fetch` is used, so this runs in browsers too.
 */
import { IoError } from '@vego/format';
import type { ObjectStoreStats } from './object-store';

/** `fetch`, or a signing wrapper of it (aws4fetch's `AwsClient.fetch`). */
export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

/** Tuning of an {@link HttpClient}. */
export interface HttpClientOptions {
  maxRetries: number;
  retryTimeoutMs: number;
  maxInFlight: number;
  /** One try is abandoned (and retried) when its response has not finished after this many ms. */
  timeoutMs: number;
  /** First backoff delay; doubled per retry up to {@link MAX_BACKOFF_MS}. Default 50 ms. */
  baseDelayMs?: number;
}

/** Which counter of {@link ObjectStoreStats} a request adds to. */
export type RequestKind = 'gets' | 'heads' | 'puts' | 'lists' | 'deletes';

const MAX_BACKOFF_MS = 5_000;

/** Statuses worth another try: throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bounded, retrying requests through one {@link Fetcher}. */
export class HttpClient {
  private readonly fetcher: Fetcher;
  private readonly options: Required<HttpClientOptions>;
  private readonly counters: ObjectStoreStats;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(fetcher: Fetcher, options: HttpClientOptions, counters: ObjectStoreStats) {
    this.fetcher = fetcher;
    this.options = { baseDelayMs: 50, ...options };
    this.counters = counters;
  }

  /**
   * Sends `method url` and hands the final response (not retryable, or the last try) to `consume`,
   * which runs while the request still holds its slot (so bodies are read within the bound).
   * @throws IoError when every try failed at the network level.
   */
  async request<T>(kind: RequestKind, method: string, url: string, init: RequestInit, consume: (response: Response) => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      const started = Date.now();
      for (let attempt = 0; ; attempt++) {
        this.counters.requests++;
        this.counters[kind]++;
        if (attempt > 0) this.counters.retries++;
        const last = attempt >= this.options.maxRetries || Date.now() - started >= this.options.retryTimeoutMs;
        // A stalled server must not hang the caller: each try, body included, has a deadline.
        const signal = AbortSignal.timeout(this.options.timeoutMs);
        let response: Response;
        try {
          response = await this.fetcher(url, { ...init, method, signal });
        } catch (e) {
          if (last) throw networkError(method, url, e);
          await sleep(this.backoff(attempt, null));
          continue;
        }
        if (!last && isRetryableStatus(response.status)) {
          const retryAfter = response.headers.get('retry-after');
          await response.body?.cancel().catch(() => undefined);
          await sleep(this.backoff(attempt, retryAfter));
          continue;
        }
        try {
          return await consume(response);
        } catch (e) {
          // A body cut off by the deadline or the connection is retried like a failed request.
          if (last || !isAbortOrNetwork(e)) throw isAbortOrNetwork(e) ? networkError(method, url, e) : e;
          await sleep(this.backoff(attempt, null));
        }
      }
    } finally {
      this.release();
    }
  }

  private backoff(attempt: number, retryAfter: string | null): number {
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_BACKOFF_MS);
    const cap = Math.min(this.options.baseDelayMs * 2 ** attempt, MAX_BACKOFF_MS);
    // Full jitter halves the herd when many readers were throttled together.
    return cap / 2 + (Math.random() * cap) / 2;
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.options.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(); // the slot passes straight to the next request
    else this.inFlight--;
  }
}

/** True for what fetch throws when a request times out, is aborted or loses its connection. */
function isAbortOrNetwork(e: unknown): boolean {
  const { name, message } = nameOf(e);
  return name === 'TimeoutError' || name === 'AbortError' || (name === 'TypeError' && /fetch failed|terminated|network/i.test(message));
}

/** Name and message of an Error or a DOMException (which is not an `Error` instance in every runtime). */
function nameOf(e: unknown): { name: string; message: string } {
  if (typeof e !== 'object' || e === null) return { name: '', message: String(e) };
  const o = e as { name?: unknown; message?: unknown };
  return { name: typeof o.name === 'string' ? o.name : '', message: typeof o.message === 'string' ? o.message : String(e) };
}

function networkError(method: string, url: string, e: unknown): IoError {
  const { name, message } = nameOf(e);
  const why = name === 'TimeoutError' ? 'timed out' : `failed: ${message}`;
  return new IoError(`${method} ${url} ${why}`, url, { cause: e });
}

/** The body of a response as bytes (a view of its own buffer). */
export async function responseBytes(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}
