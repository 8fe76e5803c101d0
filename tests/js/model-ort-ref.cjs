// Test helper (child process): runs a model in onnxruntime-node on the deterministic input that
// model-real.test.mjs uses and prints { dims, data } of the first output as JSON. A separate
// process, because loading ORT next to other engines can make them share onnxruntime-common.
const ort = require('onnxruntime-node');

(async () => {
  const [path, dimsJson] = process.argv.slice(2);
  const dims = JSON.parse(dimsJson);
  const n = dims.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) * 0.5 + 0.5;
  const s = await ort.InferenceSession.create(path);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, dims) });
  const o = out[s.outputNames[0]];
  process.stdout.write(JSON.stringify({ dims: o.dims, data: Array.from(o.data) }));
})().catch((e) => {
  process.stderr.write(String(e && e.message ? e.message : e));
  process.exit(1);
});
