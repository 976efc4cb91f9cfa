/**
 * A static file server on 127.0.0.1 for the read-only HTTP tests: serves a folder with GET and
 * HEAD, answers `Range: bytes=a-b` with 206 (416 past the end), no directory listing, and counts
 * requests. CommonJS, like ./s3-server.js, for jest tests, browsers tests and benchmarks alike.
 */
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const nodePath = require('node:path');

async function startStaticServer(root, options = {}) {
  const requests = { GET: 0, HEAD: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const path = nodePath.join(root, rel);
    const cors = options.cors ? { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'range', 'access-control-expose-headers': 'content-length, content-range' } : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, cors);
      return res.end();
    }
    requests[req.method]++;
    if (!nodePath.resolve(path).startsWith(nodePath.resolve(root)) || !fs.existsSync(path) || !fs.statSync(path).isFile()) {
      res.writeHead(404, { 'content-length': '0', ...cors });
      return res.end();
    }
    const bytes = fs.readFileSync(path);
    const size = bytes.length;
    const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (m === null) {
      res.writeHead(200, { 'content-length': String(size), 'accept-ranges': 'bytes', ...cors });
      return res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    const start = Number(m[1]);
    const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start >= size || start > end) {
      res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': '0', ...cors });
      return res.end();
    }
    res.writeHead(206, { 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${size}`, ...cors });
    res.end(req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
  });
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

module.exports = { startStaticServer };
