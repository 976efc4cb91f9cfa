/**
 * Storage options named as Lance (and the Rust `object_store` crate under it) names them, so the
 * same record configures LanceDB and Vego: `aws_endpoint` (or `endpoint`), `aws_region` (`region`),
 * `aws_access_key_id` (`access_key_id`), `aws_secret_access_key` (`secret_access_key`),
 * `aws_session_token` (`session_token`), `allow_http`, `aws_virtual_hosted_style_request`,
 * `aws_skip_signature`, `client_max_retries`, `client_retry_timeout`, `client_timeout` (one try's
 * deadline, default 30 s as object_store's `timeout`). Missing values come from the
 * usual environment variables (`AWS_ENDPOINT_URL` / `AWS_ENDPOINT`, `AWS_REGION` /
 * `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
 * `AWS_ALLOW_HTTP`) when the runtime has them (Node; a browser has none).
 */
import { InvalidArgumentError } from '@vego/format';

/** Storage options as LanceDB takes them (`storageOptions`): string values, Lance's key names. */
export type StorageOptions = Readonly<Record<string, string | undefined>>;

/** The options an S3 store is built from, after aliases and the environment were applied. */
export interface ResolvedS3Options {
  /** `http(s)://host[:port]` of an S3-compatible service; undefined: AWS's regional endpoint. */
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  sessionToken: string | undefined;
  /** Plain `http://` endpoints are refused unless this is set (as Lance). */
  allowHttp: boolean;
  /** `https://bucket.host/key` instead of `https://host/bucket/key`. */
  virtualHostedStyle: boolean;
  /** Send unsigned requests (public buckets). */
  skipSignature: boolean;
  /** False when `conditional_put` is `disabled`: the store then refuses writes (no atomic commit). */
  conditionalPut: boolean;
  /** Retries of a throttled / 5xx / failed request. */
  maxRetries: number;
  /** Give up retrying after this many milliseconds. */
  retryTimeoutMs: number;
  /** Most requests in flight at once on this store. */
  maxInFlight: number;
  /** Deadline of one try of a request, body included. */
  timeoutMs: number;
}

/** Lance's aliases of each option, the canonical name first. */
const ALIASES: Record<string, readonly string[]> = {
  endpoint: ['aws_endpoint', 'endpoint', 'aws_endpoint_url', 'endpoint_url'],
  region: ['aws_region', 'region'],
  accessKeyId: ['aws_access_key_id', 'access_key_id'],
  secretAccessKey: ['aws_secret_access_key', 'secret_access_key'],
  sessionToken: ['aws_session_token', 'session_token', 'token'],
  allowHttp: ['allow_http', 'aws_allow_http'],
  virtualHostedStyle: ['aws_virtual_hosted_style_request', 'virtual_hosted_style_request'],
  skipSignature: ['aws_skip_signature', 'skip_signature'],
  conditionalPut: ['aws_conditional_put', 'conditional_put'],
  maxRetries: ['client_max_retries'],
  retryTimeout: ['client_retry_timeout'],
  maxInFlight: ['max_in_flight'],
  timeout: ['client_timeout', 'timeout'],
};

const ENV: Record<string, readonly string[]> = {
  endpoint: ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT'],
  region: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  accessKeyId: ['AWS_ACCESS_KEY_ID'],
  secretAccessKey: ['AWS_SECRET_ACCESS_KEY'],
  sessionToken: ['AWS_SESSION_TOKEN'],
  allowHttp: ['AWS_ALLOW_HTTP'],
};

/** The process environment when there is one (Node), else an empty record (browsers). */
function environment(): Record<string, string | undefined> {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env ?? {};
}

function pick(options: StorageOptions, name: string, env: Record<string, string | undefined>): string | undefined {
  for (const k of ALIASES[name]!) {
    const v = options[k] ?? options[k.toUpperCase()];
    if (v !== undefined && v !== '') return v;
  }
  for (const k of ENV[name] ?? []) {
    const v = env[k];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function flag(name: string, v: string | undefined, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  const s = v.toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  throw new InvalidArgumentError(`storage option \`${name}\` must be 'true' or 'false', got '${v}'`);
}

function count(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`storage option \`${name}\` must be a non-negative integer, got '${v}'`);
  return n;
}

/** A duration as object_store writes it (`30s`, `500ms`, `2m`) or a bare number of seconds, in ms. */
function duration(name: string, v: string | undefined, fallbackMs: number): number {
  if (v === undefined) return fallbackMs;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(v);
  if (m === null) throw new InvalidArgumentError(`storage option \`${name}\` must be a duration such as '30s' or '500ms', got '${v}'`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

/** Request options of any store (retries, time budget, requests in flight), without the S3-only ones. */
export interface ResolvedClientOptions {
  maxRetries: number;
  retryTimeoutMs: number;
  maxInFlight: number;
  timeoutMs: number;
}

/**
 * Resolves only `client_max_retries`, `client_retry_timeout` and `max_in_flight` (for stores that are
 * not S3: no endpoint, credentials or AWS environment involved).
 * @throws InvalidArgumentError for malformed values.
 */
export function resolveClientOptions(options: StorageOptions = {}): ResolvedClientOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('`storageOptions` must be an object of strings');
  return {
    maxRetries: count('client_max_retries', pick(options, 'maxRetries', {}), 10),
    retryTimeoutMs: duration('client_retry_timeout', pick(options, 'retryTimeout', {}), 180_000),
    maxInFlight: Math.max(1, count('max_in_flight', pick(options, 'maxInFlight', {}), 32)),
    timeoutMs: duration('client_timeout', pick(options, 'timeout', {}), 30_000),
  };
}

/**
 * Resolves S3 options: Lance's names and aliases first, then the environment, then defaults
 * (region `us-east-1`, 10 retries within 180 s as object_store, 32 requests in flight).
 * @throws InvalidArgumentError for malformed values, or an `http://` endpoint without `allow_http`.
 */
export function resolveS3Options(options: StorageOptions = {}): ResolvedS3Options {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('`storageOptions` must be an object of strings');
  const env = environment();
  const endpoint = pick(options, 'endpoint', env);
  const allowHttp = flag('allow_http', pick(options, 'allowHttp', env), false);
  if (endpoint !== undefined) {
    if (!/^https?:\/\//i.test(endpoint)) throw new InvalidArgumentError(`storage option \`aws_endpoint\` must be an http(s):// URL, got '${endpoint}'`);
    if (/^http:\/\//i.test(endpoint) && !allowHttp) {
      throw new InvalidArgumentError(`storage option \`aws_endpoint\` is plain http (${endpoint}): set \`allow_http: 'true'\` to allow it`);
    }
  }
  const conditional = pick(options, 'conditionalPut', env);
  return {
    endpoint: endpoint?.replace(/\/+$/, ''),
    region: pick(options, 'region', env) ?? 'us-east-1',
    accessKeyId: pick(options, 'accessKeyId', env),
    secretAccessKey: pick(options, 'secretAccessKey', env),
    sessionToken: pick(options, 'sessionToken', env),
    allowHttp,
    virtualHostedStyle: flag('aws_virtual_hosted_style_request', pick(options, 'virtualHostedStyle', env), false),
    skipSignature: flag('aws_skip_signature', pick(options, 'skipSignature', env), false),
    conditionalPut: conditional === undefined ? true : conditional.toLowerCase() !== 'disabled',
    maxRetries: count('client_max_retries', pick(options, 'maxRetries', env), 10),
    retryTimeoutMs: duration('client_retry_timeout', pick(options, 'retryTimeout', env), 180_000),
    maxInFlight: Math.max(1, count('max_in_flight', pick(options, 'maxInFlight', env), 32)),
    timeoutMs: duration('client_timeout', pick(options, 'timeout', env), 30_000),
  };
}
