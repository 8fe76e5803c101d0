// Bundles dist/index.mjs with esbuild and checks the bundle runs in Chromium with init({ wasmPaths: '/dist/' }).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { init } from '../../dist/node.mjs';
import { generate } from '../../web/data.mjs';
import { CHROMIUM } from './chromium.mjs';

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

let srv;
let browser;
let page;
let bundle;
const pageErrors = [];

before(async () => {
  const out = await build({
    entryPoints: [new URL('../../dist/index.mjs', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  assert.equal(out.outputFiles.length, 1, 'one output file: the glue is inlined, the .wasm is not');
  bundle = out.outputFiles[0].text;
  [srv, browser] = await Promise.all([startServer({ port: 0 }), chromium.launch(CHROMIUM)]);
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The bundle lives at /bundle-test/, away from the .wasm files in /dist/.
  await page.route('**/bundle-test/index.html', (route) => route.fulfill({
    status: 200, headers: ISOLATION, contentType: 'text/html', body: '<!doctype html><title>bundle test</title>',
  }));
  await page.route('**/bundle-test/wasmq.bundle.mjs', (route) => route.fulfill({
    status: 200, headers: ISOLATION, contentType: 'text/javascript', body: bundle,
  }));
  await page.goto(`${srv.url}bundle-test/index.html`);
});

after(async () => {
  await browser?.close();
  await srv?.close();
});

test('the esbuild bundle keeps the wasm URLs relative to import.meta.url', () => {
  assert.match(bundle, /new URL\("\.\/wasmq-simd\.wasm", import\.meta\.url\)/);
  assert.match(bundle, /new URL\("\.\/wasmq-scalar\.wasm", import\.meta\.url\)/);
});

test('the bundle loads with wasmPaths and gives the same numbers as Node (SIMD and scalar)', async () => {
  const x = generate('normal', { seed: 4, size: 1000 });
  const options = { dtype: 'int8', scheme: 'affine', calibration: 'percentile', percentile: 99.9 };
  for (const simd of [true, false]) {
    const wq = await init({ simd });
    const q = wq.quantize(x, options);
    const m = wq.metrics(x, wq.dequantize(q));
    const got = await page.evaluate(async ({ data, options, simd }) => {
      const { init } = await import('/bundle-test/wasmq.bundle.mjs');
      const wq = await init({ simd, wasmPaths: '/dist/' });
      const x = Float32Array.from(data);
      const q = wq.quantize(x, options);
      return { simd: wq.simd, scale: Array.from(q.scale), zeroPoint: Array.from(q.zeroPoint), metrics: wq.metrics(x, wq.dequantize(q)) };
    }, { data: Array.from(x), options, simd });
    assert.equal(got.simd, simd);
    assert.deepStrictEqual(got.scale, Array.from(q.scale));
    assert.deepStrictEqual(got.zeroPoint, Array.from(q.zeroPoint));
    assert.deepStrictEqual(got.metrics, { ...m });
  }
});

test('without wasmPaths the bundle looks for the .wasm next to itself and says how to fix it', async () => {
  const message = await page.evaluate(async () => {
    const { init } = await import('/bundle-test/wasmq.bundle.mjs');
    try {
      await init();
      return null;
    } catch (e) {
      return e.message;
    }
  });
  assert.notEqual(message, null, 'init() should fail: /bundle-test/wasmq-simd.wasm does not exist');
  assert.match(message, /wasmPaths/);
  assert.deepStrictEqual(pageErrors, []);
});
