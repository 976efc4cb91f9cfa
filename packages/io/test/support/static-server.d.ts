/** Types of ./static-server.js (see its header). */
export interface StaticTestServer {
  /** `http://127.0.0.1:<port>` serving the folder's files at their relative paths. */
  readonly url: string;
  readonly requests: { GET: number; HEAD: number };
  close(): Promise<void>;
}
export function startStaticServer(root: string, options?: { port?: number; cors?: boolean }): Promise<StaticTestServer>;
