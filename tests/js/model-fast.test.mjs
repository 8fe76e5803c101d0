// The fast (SIMD-routed, fused) float runtime on every real model against onnxruntime-node on
// natural inputs: max |diff| <= 1e-4 * max |ref| (assertClose's relative tolerance), cosine ~1.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MODELS, MODEL_IDS, modelBytes, modelPath, naturalFeeds, randomFeeds } from '../fixtures/models.mjs';
import { runOrtNode } from '../peers/ort.mjs';
import { assertClose } from '../peers/compare.mjs';
import { wasmq } from './model-helpers.mjs';

let available = true;
try {
  for (const id of MODEL_IDS) modelPath(id);
  await import('onnxruntime-node');
} catch {
  available = false;
}

for (const id of MODEL_IDS) {
  test(`fast float runtime: ${id} matches onnxruntime-node to 1e-4 relative`, { skip: !available && 'models or onnxruntime-node missing' }, async () => {
    const feeds = MODELS[id].preprocess ? naturalFeeds(id, { index: 1 }) : randomFeeds(id, { seed: 7 });
    const ref = await runOrtNode(modelPath(id), feeds);
    const { loadModel } = await wasmq();
    const m = await loadModel(modelBytes(id));
    try {
      const out = await m.run(feeds);
      for (const name of Object.keys(ref)) {
        const c = assertClose(out[name], ref[name], { rel: 1e-4, name: `${id} ${name}` });
        assert.ok(c.cosine > 0.999999, `${name}: cosine ${c.cosine}`);
        if (process.env.WASMQ_VERBOSE) console.log(id, name, 'maxAbsDiff', c.maxAbsDiff, 'relDiff', c.relDiff);
      }
    } finally {
      m.dispose();
    }
  });
}

test('Model.setProfiling/profile: per-node totals while on, nothing while off', { skip: !available && 'models or onnxruntime-node missing' }, async () => {
  const { loadModel } = await wasmq();
  const m = await loadModel(modelBytes('ppocr-cls'));
  try {
    const feeds = naturalFeeds('ppocr-cls', { index: 0 });
    await m.run(feeds);
    assert.deepEqual(m.profile(), []);
    m.setProfiling(true);
    await m.run(feeds);
    await m.run(feeds);
    const p = m.profile();
    assert.ok(p.length > 10, `${p.length} steps`);
    for (const s of p) {
      assert.equal(typeof s.node, 'string');
      assert.equal(typeof s.opType, 'string');
      assert.equal(s.runs, 2);
      assert.ok(s.ms >= 0);
    }
    assert.ok(p.some((s) => s.opType === 'Conv'));
    m.setProfiling(false);
    assert.deepEqual(m.profile(), []);
  } finally {
    m.dispose();
  }
});
