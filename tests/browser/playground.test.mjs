// Drives the playground in headless Chromium and checks every number it shows against wasmq run in Node on the same inputs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { init } from '../../dist/node.mjs';
import { generate, fingerprint } from '../../web/data.mjs';
import { CHROMIUM } from './chromium.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);

let srv;
let browser;
let page;
let wqSimd;
let wqScalar;
const consoleErrors = [];

before(async () => {
  [srv, browser, wqSimd, wqScalar] = await Promise.all([
    startServer({ port: 0 }),
    chromium.launch(CHROMIUM),
    init(),
    init({ simd: false }),
  ]);
  assert.equal(wqSimd.simd, true, 'Node should run the SIMD build');
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(srv.url);
  await page.waitForSelector('#status[data-run="1"]', { timeout: 20000 });
});

after(async () => {
  await browser?.close();
  await srv?.close();
});

// ---- driving the page ----

/** Sets the form. Keys: source, seed, size, numbers, dtype, scheme, granularity, calibration, percentile, bins, rows, axis, blockSize, forceScalar. */
async function setForm(f) {
  if (f.source !== undefined) await page.selectOption('#source', f.source);
  if (f.seed !== undefined) await page.fill('#seed', String(f.seed));
  if (f.size !== undefined) await page.fill('#size', String(f.size));
  if (f.numbers !== undefined) await page.fill('#numbers', f.numbers);
  for (const key of ['dtype', 'scheme', 'granularity', 'calibration']) {
    if (f[key] !== undefined) await page.selectOption(`#${key}`, f[key]);
  }
  if (f.percentile !== undefined) await page.fill('#percentile', String(f.percentile));
  if (f.bins !== undefined) await page.fill('#bins', String(f.bins));
  if (f.rows !== undefined) await page.fill('#rows', String(f.rows));
  if (f.axis !== undefined) await page.selectOption('#axis', String(f.axis));
  if (f.blockSize !== undefined) await page.fill('#block-size', String(f.blockSize));
  if (f.forceScalar !== undefined) await page.setChecked('#force-scalar', f.forceScalar);
}

/** Clicks Quantize and waits for that run to finish; returns 'done' or 'error'. */
async function quantize() {
  const run = Number(await page.getAttribute('#status', 'data-run'));
  await page.click('#quantize');
  await page.waitForSelector(`#status[data-run="${run + 1}"]`, { timeout: 20000 });
  return page.getAttribute('#status', 'data-state');
}

async function shown() {
  return page.evaluate(() => {
    const v = (id) => document.getElementById(id).dataset.value;
    return {
      sqnr: Number(v('sqnr')),
      mse: Number(v('mse')),
      maxAbsError: Number(v('max-abs-error')),
      cosine: Number(v('cosine')),
      scale: JSON.parse(v('scale')),
      zeroPoint: JSON.parse(v('zero-point')),
      scaleShape: JSON.parse(v('scale-shape')),
      sizeOriginal: Number(v('size-original')),
      sizeQuantized: Number(v('size-quantized')),
      levels: Number(v('levels-count')),
      n: Number(v('data-summary')),
      fingerprint: document.getElementById('data-summary').dataset.fingerprint,
      build: v('build'),
      error: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
      sqnrText: document.getElementById('sqnr').textContent,
    };
  });
}

// ---- the same computation in Node ----

function expected(wq, x, options) {
  const q = wq.quantize(x, options);
  const y = wq.dequantize(q);
  const m = wq.metrics(x, y);
  return {
    sqnr: m.sqnrDb,
    mse: m.mse,
    maxAbsError: m.maxAbsError,
    cosine: m.cosine,
    scale: Array.from(q.scale),
    zeroPoint: Array.from(q.zeroPoint),
    scaleShape: q.scaleShape,
    sizeOriginal: x.byteLength,
    sizeQuantized: q.data.byteLength + q.scale.byteLength + q.zeroPoint.byteLength + (q.codebook ? q.codebook.byteLength : 0),
    levels: new Set(y).size,
    n: x.length,
    fingerprint: fingerprint(x),
  };
}

function assertSame(got, want, label) {
  assert.equal(got.error, null, `${label}: page shows an error`);
  assert.equal(got.fingerprint, want.fingerprint, `${label}: the page generated different data than Node`);
  for (const key of Object.keys(want)) {
    assert.deepStrictEqual(got[key], want[key], `${label}: ${key} shown ${JSON.stringify(got[key])}, Node ${JSON.stringify(want[key])}`);
  }
}

/** Runs one configuration in the page and in Node and compares; returns what the page showed. */
async function check(label, form, options, wq = wqSimd) {
  await setForm(form);
  assert.equal(await quantize(), 'done', `${label}: run failed: ${await page.textContent('#error')}`);
  const got = await shown();
  const x = form.source === 'paste' ? null : generate(form.source, { seed: form.seed, size: form.size });
  assertSame(got, expected(wq, x, options), label);
  assert.equal(got.build, wq.simd ? 'simd' : 'scalar', `${label}: build`);
  return got;
}

// ---- tests ----

test('loads with the SIMD build and an initial result', async () => {
  assert.equal(await page.getAttribute('#status', 'data-state'), 'done');
  assert.equal(await page.getAttribute('#build', 'data-value'), 'simd');
  assert.ok(await page.locator('#chart canvas').count() >= 1, 'uPlot canvas');
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'COOP/COEP make the page cross-origin isolated');
});

test('int8 affine per tensor, minmax: page numbers equal Node', async () => {
  const got = await check('int8 affine minmax',
    { source: 'normal', seed: 7, size: 4096, dtype: 'int8', scheme: 'affine', granularity: 'tensor', calibration: 'minmax' },
    { dtype: 'int8', scheme: 'affine', granularity: 'tensor', calibration: 'minmax' });
  assert.ok(got.sqnr > 30 && got.sqnr < 60, `plausible int8 SQNR (${got.sqnr})`);
  assert.match(got.sqnrText, /dB$/);
});

test('int4 symmetric per block: page numbers equal Node', async () => {
  const got = await check('int4 symmetric block',
    { source: 'laplace', seed: 11, size: 2048, dtype: 'int4', scheme: 'symmetric', granularity: 'block',
      calibration: 'minmax', rows: 16, axis: 1, blockSize: 32 },
    { dtype: 'int4', scheme: 'symmetric', granularity: 'block', calibration: 'minmax', shape: [16, 128], axis: 1, blockSize: 32 });
  assert.deepStrictEqual(got.scaleShape, [16, 4]);
  assert.ok(got.zeroPoint.every((z) => z === 0), 'symmetric zero points are 0');
});

test('per-channel entropy calibration and percentile calibration: page numbers equal Node', async () => {
  await check('uint8 channel entropy',
    { source: 'heavy-tailed', seed: 3, size: 4096, dtype: 'uint8', scheme: 'affine', granularity: 'channel',
      calibration: 'entropy', bins: 512, rows: 8, axis: 0 },
    { dtype: 'uint8', scheme: 'affine', granularity: 'channel', calibration: 'entropy', bins: 512, shape: [8, 512], axis: 0 });
  const pct = await check('int8 percentile',
    { source: 'heavy-tailed', seed: 3, size: 4096, dtype: 'int8', scheme: 'affine', granularity: 'tensor',
      calibration: 'percentile', percentile: 99.5, bins: 2048 },
    { dtype: 'int8', scheme: 'affine', granularity: 'tensor', calibration: 'percentile', percentile: 99.5, bins: 2048 });
  const minmax = expected(wqSimd, generate('heavy-tailed', { seed: 3, size: 4096 }), { dtype: 'int8' });
  assert.ok(pct.scale[0] < minmax.scale[0], 'percentile clips the outliers: smaller scale than minmax');
});

test('forcing the scalar build gives identical numbers', async () => {
  const form = { source: 'uniform', seed: 5, size: 3000, dtype: 'int8', scheme: 'symmetric', granularity: 'tensor', calibration: 'mse' };
  const options = { dtype: 'int8', scheme: 'symmetric', granularity: 'tensor', calibration: 'mse', bins: 2048 };
  await setForm({ ...form, bins: 2048 });
  const simd = await check('mse on SIMD', { ...form, forceScalar: false }, options, wqSimd);
  const scalar = await check('mse on scalar', { ...form, forceScalar: true }, options, wqScalar);
  for (const key of ['sqnr', 'mse', 'maxAbsError', 'cosine', 'scale', 'zeroPoint']) {
    assert.deepStrictEqual(scalar[key], simd[key], `scalar vs SIMD: ${key}`);
  }
  await setForm({ forceScalar: false });
});

test('pasted numbers (mixed separators) quantize like the same Float32Array in Node', async () => {
  const gen = generate('laplace', { seed: 99, size: 40 });
  const values = Array.from(gen, (v, i) => Number(v.toPrecision(i % 3 === 0 ? 3 : 7)));
  const text = values.map((v, i) => (i % 5 === 4 ? `${v}\n` : i % 2 ? `${v}, ` : `${v}  `)).join('');
  await setForm({ source: 'paste', numbers: text, dtype: 'int4', scheme: 'affine', granularity: 'tensor', calibration: 'minmax' });
  assert.equal(await quantize(), 'done', await page.textContent('#error'));
  const got = await shown();
  assertSame(got, expected(wqSimd, Float32Array.from(values), { dtype: 'int4', scheme: 'affine', calibration: 'minmax' }), 'pasted');
  assert.equal(got.n, values.length);
});

test('bad pasted input is reported in the alert, naming the token', async () => {
  await setForm({ source: 'paste', numbers: '1, 2.5, 3x, 4' });
  assert.equal(await quantize(), 'error');
  const alert = page.getByRole('alert');
  assert.equal(await alert.isVisible(), true);
  assert.match(await alert.textContent(), /'3x'/);
});

test('a library error is shown in the alert with the library message', async () => {
  const options = { dtype: 'uint4', scheme: 'log2', granularity: 'tensor', calibration: 'minmax' };
  let message;
  assert.throws(() => wqSimd.quantize(generate('normal', { seed: 2, size: 256 }), options), (e) => {
    message = e.message;
    return true;
  });
  await setForm({ source: 'normal', seed: 2, size: 256, ...options });
  assert.equal(await quantize(), 'error');
  assert.equal((await page.getByRole('alert').textContent()).trim(), message);
  // The next good run clears the alert.
  await setForm({ scheme: 'affine' });
  assert.equal(await quantize(), 'done');
  assert.equal(await page.getByRole('alert').isHidden(), true);
});

test('screenshots (wide and narrow) and no console errors', async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  await check('int4 affine for the screenshot',
    { source: 'normal', seed: 1, size: 8192, dtype: 'int4', scheme: 'affine', granularity: 'tensor', calibration: 'minmax' },
    { dtype: 'int4', scheme: 'affine', granularity: 'tensor', calibration: 'minmax' });
  await page.screenshot({ path: new URL('playground.png', ARTIFACTS).pathname, fullPage: true });
  await page.setViewportSize({ width: 380, height: 800 });
  await page.waitForTimeout(200); // let the ResizeObserver resize the chart
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 380 px (overflow ${overflow}px)`);
  await page.screenshot({ path: new URL('playground-narrow.png', ARTIFACTS).pathname, fullPage: true });
  assert.equal(await page.getByRole('alert').isHidden(), true, `alert after resizing: ${await page.textContent('#error')}`);
  assert.deepStrictEqual(consoleErrors, []);
});

test('a wasm file that cannot be loaded is reported in the alert, not swallowed', async () => {
  const broken = await browser.newPage();
  const errors = [];
  broken.on('pageerror', (e) => errors.push(e.message));
  await broken.route('**/dist/wasmq-*.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
  try {
    await broken.goto(srv.url);
    await broken.waitForSelector('#status[data-state="error"]', { timeout: 20000 });
    const alert = broken.getByRole('alert');
    assert.equal(await alert.isVisible(), true);
    assert.match(await alert.textContent(), /could not load wasmq-(simd|scalar)\.wasm/);
    assert.equal(await broken.isDisabled('#quantize'), true, 'nothing to run without the module');
    assert.deepStrictEqual(errors, []);
  } finally {
    await broken.close();
  }
});
