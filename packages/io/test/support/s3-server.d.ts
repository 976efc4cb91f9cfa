/** Types of ./s3-server.js (a CommonJS test server; see its header). */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Requests served by method (`LIST` counts ListObjectsV2 GETs, which are not in `GET`). */
  readonly requests: { GET: number; HEAD: number; PUT: number; POST: number; DELETE: number; LIST: number };
  /** The last requests, as `METHOD /path?query [range]`. */
  readonly log: string[];
  /** Body bytes sent by GETs. */
  readonly bytesSent: number;
  /** The objects of a bucket (key → bytes, etag, time); mutable, for tests that damage or inspect. */
  objects(bucket: string): Map<string, { bytes: Buffer; etag: string; lastModified: Date }>;
  /**
   * Sees every request first; returning 'drop' breaks the connection without acting on the request,
   * 'apply-then-drop' acts on it and then breaks the connection (a lost reply).
   */
  onRequest: ((method: string, bucketAndKey: string) => 'drop' | 'apply-then-drop' | void) | null;
  /** Answers the next `n` requests with `status` (default 503 SlowDown). */
  failNext(n: number, status?: number): void;
  resetCounters(): void;
  close(): Promise<void>;
}
/** `requireAuth` (default true): refuse unsigned requests; `pageKeys` (default 1000): keys per listing page. */
export function startS3Server(options?: { port?: number; requireAuth?: boolean; pageKeys?: number }): Promise<S3TestServer>;
