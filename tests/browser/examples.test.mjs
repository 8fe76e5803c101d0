// Runs every examples/*.mjs with Node and checks it exits cleanly and prints its results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

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
