// ONNX node conformance through the wasm module: the quick subset must pass in full, and on the
// whole node suite every failure must be one documented in KNOWN_FAILURES (docs/runtime.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

import { KNOWN_FAILURES, NODE_DIR, QUICK, runConformance } from '../../scripts/conformance.mjs';
import { wasmq } from './model-helpers.mjs';

const haveData = existsSync(NODE_DIR);
const why = 'libonnx-testdata is not installed (scripts/setup.sh installs it)';

test('quick subset of ONNX node tests passes', { skip: haveData ? false : why }, async () => {
  const { mod } = await wasmq();
  const r = await runConformance({ quick: true, mod });
  assert.equal(r.supported, QUICK.length, 'every quick test exists and is supported');
  assert.deepEqual(r.reasons, {});
  assert.equal(r.passed, QUICK.length);
});

test('every failing supported node test is a documented known failure', { skip: haveData ? false : why }, async () => {
  const { mod } = await wasmq();
  const r = await runConformance({ mod });
  assert.ok(r.supported >= 350, `only ${r.supported} supported tests`);
  const unexpected = Object.fromEntries(Object.entries(r.reasons).filter(([name]) => !KNOWN_FAILURES[name]));
  assert.deepEqual(unexpected, {});
  // Known failures that now pass should be removed from the list (and from docs/runtime.md).
  const fixed = Object.keys(KNOWN_FAILURES).filter((n) => !r.failed.includes(n));
  assert.deepEqual(fixed, []);
});

test('pytorch-converted, pytorch-operator and simple test sets pass in full', { skip: haveData ? false : why }, async () => {
  const { mod } = await wasmq();
  for (const set of ['pytorch-converted', 'pytorch-operator', 'simple']) {
    const r = await runConformance({ mod, dir: NODE_DIR.replace(/node$/, set) });
    assert.ok(r.supported >= 5, `${set}: only ${r.supported} supported tests`);
    assert.deepEqual(r.reasons, {}, set);
  }
});
