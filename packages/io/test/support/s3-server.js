/**
 * A small S3-compatible server on 127.0.0.1 for tests and benchmarks (node:http, objects in memory).
 *
 * Why our own: s3rver 3.7.1 (the npm S3 fake) ignores `If-None-Match` on PUT (it only answers it on
 * GET with 304), so two writers could both "create" one manifest there, which is exactly what the
 * commit tests must see refused. This server implements what Lance's object_store and our S3Store
 * use, path-style only: PUT (with `If-None-Match: *` → 412 when the key exists), GET with `Range`
 * (206 / 416), HEAD, DELETE, CopyObject, ListObjectsV2 (prefix, delimiter, start-after, continuation,
 * max-keys), DeleteObjects, and multipart uploads. Requests must carry a SigV4 `Authorization`
 * header (or a presigned query); the signature itself is not verified.
 *
 * Test hooks: `onRequest(method, 'bucket/key')` sees each request first (returning 'drop' breaks the
 * connection without acting on it, 'apply-then-drop' acts on it and then breaks the connection); `failNext(n, status)` answers the next n requests with `status` (503 SlowDown by
 * default) to exercise retries; `requests` counts requests by method; `log` keeps the last ones.
 * Plain CommonJS so that jest tests, child processes and the benchmarks (.mjs) can all load it.
 */
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

function xmlEscape(s) {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);
}

function etagOf(bytes) {
  return `"${crypto.createHash('md5').update(bytes).digest('hex')}"`;
}

function errorXml(code, message) {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
}

/**
 * Starts the server.
 * @returns {Promise<import('./s3-server').S3TestServer>}
 */
async function startS3Server(options = {}) {
  /** bucket → key → { bytes, etag, lastModified } */
  const buckets = new Map();
  const uploads = new Map();
  const requests = { GET: 0, HEAD: 0, PUT: 0, POST: 0, DELETE: 0, LIST: 0 };
  const log = [];
  let failures = [];
  let bytesSent = 0;
  const requireAuth = options.requireAuth !== false;
  const hooks = { onRequest: null };
  // Keys per listing page: 1000 as S3; tests lower it to exercise continuation without 1000 objects.
  const pageKeys = options.pageKeys ?? 1000;

  function bucket(name) {
    let b = buckets.get(name);
    if (b === undefined) buckets.set(name, (b = new Map()));
    return b;
  }

  function send(res, status, body, headers = {}) {
    const buf = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
    res.writeHead(status, { 'content-length': String(buf.length), ...headers });
    res.end(res.req.method === 'HEAD' ? undefined : buf);
  }

  function fail(res, status, code, message) {
    send(res, status, errorXml(code, message), { 'content-type': 'application/xml' });
  }

  function list(res, b, q) {
    requests.LIST++;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = Math.min(Number(q.get('max-keys') ?? '1000'), pageKeys);
    const after = q.get('continuation-token') ?? q.get('start-after') ?? '';
    const keys = [...b.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const contents = [];
    const prefixes = new Set();
    let truncated = false;
    let last = '';
    for (const k of keys) {
      if (contents.length + prefixes.size >= maxKeys) {
        truncated = true;
        break;
      }
      last = k;
      if (delimiter !== '') {
        const at = k.indexOf(delimiter, prefix.length);
        if (at >= 0) {
          prefixes.add(k.slice(0, at + delimiter.length));
          continue;
        }
      }
      contents.push(k);
    }
    let xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${xmlEscape(q.get('bucket') ?? '')}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${contents.length + prefixes.size}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`;
    for (const k of contents) {
      const o = b.get(k);
      xml += `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.bytes.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    }
    for (const p of prefixes) xml += `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`;
    if (truncated) xml += `<NextContinuationToken>${xmlEscape(last)}</NextContinuationToken>`;
    xml += '</ListBucketResult>';
    send(res, 200, xml, { 'content-type': 'application/xml' });
  }

  function handle(req, res, body) {
    const url = new URL(req.url, 'http://localhost');
    const parts = url.pathname.split('/');
    const bucketName = decodeURIComponent(parts[1] ?? '');
    const key = parts.slice(2).map(decodeURIComponent).join('/');
    const q = url.searchParams;
    log.push(`${req.method} ${url.pathname}${url.search}${req.headers.range ? ` ${req.headers.range}` : ''}${req.headers['if-none-match'] ? ` if-none-match:${req.headers['if-none-match']}` : ''}`);
    if (log.length > 1000) log.shift();
    if (requireAuth && !String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ') && !q.has('X-Amz-Signature')) {
      return fail(res, 403, 'AccessDenied', 'request not signed');
    }
    const verdict = hooks.onRequest === null ? undefined : hooks.onRequest(req.method, `${bucketName}/${key}`);
    if (verdict === 'drop') {
      res.destroy(); // as if the connection broke before the request took effect
      return undefined;
    }
    if (verdict === 'apply-then-drop') {
      // The request takes effect, but its reply is lost (the connection breaks before it is sent).
      const hooked = hooks.onRequest;
      hooks.onRequest = null;
      try {
        handle(req, { req, writeHead() {}, end() {} }, body);
      } finally {
        hooks.onRequest = hooked;
      }
      res.destroy();
      return undefined;
    }
    if (failures.length > 0) {
      const status = failures.shift();
      return fail(res, status, status === 503 ? 'SlowDown' : 'InternalError', 'injected failure');
    }
    if (bucketName === '') return fail(res, 400, 'InvalidRequest', 'path-style requests only');
    const b = bucket(bucketName);
    if (key === '') {
      if (req.method === 'GET' && q.get('list-type') === '2') return list(res, b, q);
      if (req.method === 'POST' && q.has('delete')) {
        requests.POST++;
        const keys = [...body.toString('utf8').matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
        for (const k of keys) b.delete(k);
        return send(res, 200, `<?xml version="1.0" encoding="UTF-8"?><DeleteResult>${keys.map((k) => `<Deleted><Key>${xmlEscape(k)}</Key></Deleted>`).join('')}</DeleteResult>`, { 'content-type': 'application/xml' });
      }
      if (req.method === 'HEAD' || req.method === 'PUT') return send(res, 200);
      return fail(res, 400, 'InvalidRequest', `unsupported bucket request ${req.method}`);
    }
    switch (req.method) {
      case 'PUT': {
        requests.PUT++;
        if (q.has('uploadId')) {
          const up = uploads.get(q.get('uploadId'));
          if (up === undefined) return fail(res, 404, 'NoSuchUpload', 'no such upload');
          up.parts.set(Number(q.get('partNumber')), body);
          return send(res, 200, undefined, { etag: etagOf(body) });
        }
        const exists = b.has(key);
        if (req.headers['if-none-match'] === '*' && exists) return fail(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        const ifMatch = req.headers['if-match'];
        if (ifMatch !== undefined && (!exists || b.get(key).etag !== ifMatch)) return fail(res, 412, 'PreconditionFailed', 'etag mismatch');
        let bytes = body;
        const copy = req.headers['x-amz-copy-source'];
        if (copy !== undefined) {
          const src = decodeURIComponent(String(copy)).replace(/^\//, '');
          const slash = src.indexOf('/');
          const o = bucket(src.slice(0, slash)).get(src.slice(slash + 1));
          if (o === undefined) return fail(res, 404, 'NoSuchKey', 'copy source missing');
          bytes = o.bytes;
        }
        const o = { bytes, etag: etagOf(bytes), lastModified: new Date() };
        b.set(key, o);
        if (copy !== undefined) {
          return send(res, 200, `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>${xmlEscape(o.etag)}</ETag><LastModified>${o.lastModified.toISOString()}</LastModified></CopyObjectResult>`, { 'content-type': 'application/xml' });
        }
        return send(res, 200, undefined, { etag: o.etag });
      }
      case 'POST': {
        requests.POST++;
        if (q.has('uploads')) {
          const id = crypto.randomUUID();
          uploads.set(id, { bucket: bucketName, key, parts: new Map() });
          return send(res, 200, `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>${xmlEscape(bucketName)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`, { 'content-type': 'application/xml' });
        }
        if (q.has('uploadId')) {
          const id = q.get('uploadId');
          const up = uploads.get(id);
          if (up === undefined) return fail(res, 404, 'NoSuchUpload', 'no such upload');
          const numbers = [...body.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
          const order = numbers.length > 0 ? numbers : [...up.parts.keys()].sort((x, y) => x - y);
          if (req.headers['if-none-match'] === '*' && b.has(key)) return fail(res, 412, 'PreconditionFailed', 'exists');
          const bytes = Buffer.concat(order.map((n) => up.parts.get(n)));
          uploads.delete(id);
          const o = { bytes, etag: etagOf(bytes), lastModified: new Date() };
          b.set(key, o);
          return send(res, 200, `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>${xmlEscape(bucketName)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(o.etag)}</ETag></CompleteMultipartUploadResult>`, { 'content-type': 'application/xml' });
        }
        return fail(res, 400, 'InvalidRequest', 'unsupported POST');
      }
      case 'GET':
      case 'HEAD': {
        requests[req.method]++;
        const o = b.get(key);
        if (o === undefined) return fail(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        const size = o.bytes.length;
        const headers = { etag: o.etag, 'last-modified': o.lastModified.toUTCString(), 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
        const range = req.headers.range;
        if (range === undefined) {
          if (req.method === 'GET') bytesSent += size;
          return send(res, 200, o.bytes, headers);
        }
        const m = /^bytes=(\d*)-(\d*)$/.exec(String(range));
        if (m === null) return fail(res, 400, 'InvalidArgument', 'bad range');
        let start;
        let end;
        if (m[1] === '') {
          start = Math.max(0, size - Number(m[2]));
          end = size - 1;
        } else {
          start = Number(m[1]);
          end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
        }
        if (start >= size || start > end) return send(res, 416, errorXml('InvalidRange', 'The requested range is not satisfiable'), { 'content-range': `bytes */${size}` });
        const slice = o.bytes.subarray(start, end + 1);
        if (req.method === 'GET') bytesSent += slice.length;
        return send(res, 206, slice, { ...headers, 'content-range': `bytes ${start}-${end}/${size}` });
      }
      case 'DELETE': {
        requests.DELETE++;
        if (q.has('uploadId')) uploads.delete(q.get('uploadId'));
        else b.delete(key);
        return send(res, 204);
      }
      default:
        return fail(res, 405, 'MethodNotAllowed', req.method);
    }
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (e) {
        fail(res, 500, 'InternalError', String(e && e.stack ? e.stack : e));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    log,
    get bytesSent() {
      return bytesSent;
    },
    objects(bucketName) {
      return bucket(bucketName);
    },
    set onRequest(fn) {
      hooks.onRequest = fn;
    },
    get onRequest() {
      return hooks.onRequest;
    },
    failNext(n, status = 503) {
      failures = Array.from({ length: n }, () => status);
    },
    resetCounters() {
      for (const k of Object.keys(requests)) requests[k] = 0;
      bytesSent = 0;
      log.length = 0;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

module.exports = { startS3Server };

// `node s3-server.js` runs it standalone (port from argv[2]) and prints the endpoint.
if (require.main === module) {
  startS3Server({ port: Number(process.argv[2] ?? 0) }).then((s) => console.log(s.endpoint));
}
