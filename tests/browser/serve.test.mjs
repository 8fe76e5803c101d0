// Tests scripts/serve.mjs: roots, MIME types, isolation headers, path traversal, busy-port fallback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { startServer } from '../../scripts/serve.mjs';

let srv;

/** GET with the path sent byte for byte (fetch and URL would normalise `..` away). */
function rawGet(path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  srv = await startServer({ port: 0 });
});
after(async () => {
  await srv?.close();
});

test('binds to 127.0.0.1 on an ephemeral port and reports its URL', () => {
  assert.equal(srv.server.address().address, '127.0.0.1');
  assert.ok(srv.port > 0);
  assert.equal(srv.url, `http://127.0.0.1:${srv.port}/`);
});

test('serves web/, dist/ and the vendor files with their MIME types and headers', async () => {
  const cases = [
    ['/', 'text/html; charset=utf-8', new URL('../../web/index.html', import.meta.url)],
    ['/app.mjs', 'text/javascript; charset=utf-8', new URL('../../web/app.mjs', import.meta.url)],
    ['/style.css', 'text/css; charset=utf-8', new URL('../../web/style.css', import.meta.url)],
    ['/dist/index.mjs', 'text/javascript; charset=utf-8', new URL('../../dist/index.mjs', import.meta.url)],
    ['/dist/wasmq-simd.wasm', 'application/wasm', new URL('../../dist/wasmq-simd.wasm', import.meta.url)],
    ['/vendor/uplot/uPlot.esm.js', 'text/javascript; charset=utf-8', new URL('../../node_modules/uplot/dist/uPlot.esm.js', import.meta.url)],
    ['/vendor/uplot/uPlot.min.css', 'text/css; charset=utf-8', new URL('../../node_modules/uplot/dist/uPlot.min.css', import.meta.url)],
  ];
  for (const [path, type, file] of cases) {
    const r = await rawGet(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', path);
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', path);
    assert.equal(r.headers['cache-control'], 'no-cache', path);
    assert.ok(r.body.equals(await readFile(file)), `${path} body differs from ${file.pathname}`);
  }
  const head = await rawGet('/dist/wasmq-scalar.wasm', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(Number(head.headers['content-length']), (await readFile(new URL('../../dist/wasmq-scalar.wasm', import.meta.url))).length);
});

test('refuses paths outside the roots', async () => {
  const attempts = [
    '/../package.json',
    '/dist/../package.json',
    '/dist/../../package.json',
    '/%2e%2e/package.json',
    '/dist/%2e%2e/%2e%2e/package.json',
    '/dist/..%2f..%2fpackage.json',
    '/..%2fpackage.json',
    '/%2e%2e%2fscripts%2fserve.mjs',
    '/..%5cpackage.json',
    '/dist/..\\..\\package.json',
    '/index.html%00.png',
    '/vendor/../package.json',
    '/vendor/uplot/../../package.json',
    '/vendor/uplot/package.json',
    '/vendor/uplot/uPlot.cjs.js',
    '/vendor/playwright-core/package.json',
    '/node_modules/uplot/package.json',
    '/%252e%252e/package.json',
    '/dist',
    '/%',
  ];
  for (const path of attempts) {
    const r = await rawGet(path);
    assert.ok(r.status === 404 || r.status === 400, `${path}: status ${r.status}`);
    assert.ok(!r.body.toString().includes('"name": "wasmq"'), `${path} leaked package.json`);
  }
});

test('404 for missing files, 405 for other methods', async () => {
  assert.equal((await rawGet('/no-such-file.mjs')).status, 404);
  assert.equal((await rawGet('/dist/no-such.wasm')).status, 404);
  const post = await rawGet('/', 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
});

test('a busy port makes it try the next one', async () => {
  const first = await startServer({ port: 0 });
  let second;
  try {
    second = await startServer({ port: first.port, tries: 5 });
    assert.ok(second.port > first.port && second.port <= first.port + 4, `got ${second.port} after ${first.port}`);
  } finally {
    await second?.close();
    await first.close();
  }
});
