// Runs every examples/*.mjs with Node and checks it exits cleanly and prints its results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('examples/quantize-tensor.mjs prints one row per format with finite metrics', async () => {
  const { stdout, stderr } = await run(process.execPath, ['examples/quantize-tensor.mjs'], { cwd: ROOT, timeout: 30000 });
  assert.equal(stderr, '');
  assert.match(stdout, /^wasmq on the (SIMD|scalar) build/);
  const rows = stdout.split('\n').filter((l) => /│ \d+ +│ 'dtype=/.test(l));
  assert.equal(rows.length, 6, stdout);
  for (const row of rows) {
    const cells = row.split('│').map((c) => c.trim()).filter(Boolean);
    const [sqnr, maxErr, cosine, bytes, ratio] = cells.slice(2).map(Number);
    assert.ok(sqnr > 10 && Number.isFinite(maxErr) && cosine > 0.99 && bytes > 0 && ratio >= 2, row);
  }
});

test('examples/quantize-model.mjs quantizes the classifier, reports the worst layers, and writes a QDQ export under half the float file', async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'wasmq-example-')), 'cls-int8.onnx');
  const { stdout, stderr } = await run(process.execPath, ['examples/quantize-model.mjs', '', out], { cwd: ROOT, timeout: 60000 })
    .catch((e) => ({ stdout: e.stdout, stderr: `${e.message}\n${e.stderr}` }));
  assert.equal(stderr, '');
  assert.match(stdout, /quantized in [\d.]+ s: calibration '(minmax|percentile|mse)' \(minmax [\d.]+ dB, percentile [\d.]+ dB, mse [\d.]+ dB\)/);
  assert.equal(stdout.split('\n').filter((l) => /│ \d+ +│ '/.test(l)).length, 5, stdout);
  const sqnr = Number(/held-out output SQNR ([\d.]+) dB/.exec(stdout)?.[1]);
  assert.ok(sqnr > 15, stdout);
  const [, bytes, floatBytes] = /QDQ export: (\d+) bytes \(float model (\d+)\)/.exec(stdout).map(Number);
  assert.ok(bytes < floatBytes / 2 && statSync(out).size === bytes, stdout);
});
