// Quantizes a fixture model with wasmq and compares float / QOperator / QDQ runs in onnxruntime-node:
// node scripts/quantize-explore.mjs <model-id> [--mode static] [--calib N] [--test N] [--calibration minmax]
// (ppocr-cls/rec: real rendered text lines; --mnist: the synthetic MNIST/Fashion digit lines instead)
//   [--seed S]: first seed of the random test inputs (models without an image preprocess; default 5000)
import { init } from '../dist/node.mjs';
import { modelBytes, calibrationFeeds, naturalFeeds, testFeed, MODELS } from '../tests/fixtures/models.mjs';
import { runOrtMany } from '../tests/peers/ort.mjs';
import { compareTensors } from '../tests/peers/compare.mjs';

const args = process.argv.slice(2);
const id = args[0];
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i < 0 ? d : args[i + 1]; };
const mode = opt('mode', 'static');
const nCalib = Number(opt('calib', 16));
const nTest = Number(opt('test', 100));
const calibration = opt('calibration', 'minmax');
const seed = Number(opt('seed', 5000));
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer (got '${opt('seed')}')`);
const wq = await init();
// --rot: half of the calibration images upside down (as half of the test images are).
function calibData() {
  if (args.includes('--mnist') && MODELS[id].preprocess) {
    return Array.from({ length: nCalib }, (_, i) => naturalFeeds(id, { index: i >> 1, source: i % 2 ? 'fashion' : 'mnist' }));
  }
  if (!args.includes('--rot') || !MODELS[id].preprocess) return calibrationFeeds(id, { count: nCalib });
  return Array.from({ length: nCalib }, (_, i) => naturalFeeds(id, { index: i >> 1, source: i % 2 ? 'fashion' : 'mnist', rotate180: i % 4 >= 2 }));
}
const bytes = modelBytes(id);
const model = await wq.loadModel(bytes);
const t0 = performance.now();
// --exclude-ops Add,Mul: keep every node of those op types in float (names from a first pass).
let exclude = [];
if (opt('exclude-ops')) {
  const kinds = opt('exclude-ops').split(',');
  const first = await wq.quantizeModel(model, { mode, calibrationData: calibData().slice(0, 1) });
  exclude = first.report().filter((r) => kinds.includes(r.op.split('+')[0])).map((r) => r.node);
  first.dispose();
}
// --only N: quantize only the first N quantizable nodes (graph order), the rest in float.
if (opt('only')) {
  const first = await wq.quantizeModel(model, { mode, calibrationData: calibData().slice(0, 1) });
  exclude = first.report().slice(Number(opt('only'))).map((r) => r.node);
  first.dispose();
}
// --exclude a,b: node names kept in float.
if (opt('exclude')) exclude.push(...opt('exclude').split(','));
// --exclude-dw: keep depthwise/grouped Conv in float.
if (args.includes('--exclude-dw')) {
  const { parseOnnx } = await import('../tests/fixtures/onnx-info.mjs');
  exclude.push(...parseOnnx(bytes).nodes.filter((n) => n.opType === 'Conv' && (n.attrs.group ?? 1) > 1).map((n) => n.name));
}
const qm = await wq.quantizeModel(model, { exclude,
  mode, activations: { calibration, dtype: opt('act', 'int8') }, calibrationData: calibData(),
});
const tq = performance.now() - t0;
const report = qm.report();
// Text-line models: real rendered lines after the calibration pool (--mnist: the older digit lines).
const tests = Array.from({ length: nTest }, (_, i) => testFeed(id, i, { seed, digits: args.includes('--mnist'), rotate: true }));
const out = model.outputs[0].name;
const ref = await runOrtMany('node', bytes, tests);
const qop = await runOrtMany('node', qm.toOnnx({ form: 'qoperator' }), tests);
const qdq = await runOrtMany('node', qm.toOnnx(), tests);
function agg(a, b) {
  let s = 0, e = 0, top = 0, maxd = 0, decision = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i][out].data, y = b[i][out].data;
    if (x.length === 1) decision += (x[0] > 0.5) === (y[0] > 0.5) ? 1 : 0;  // one probability: agreement of p > 0.5
    const c = compareTensors(b[i][out], a[i][out]);
    top += c.argmaxAgreement ?? 0;
    for (let j = 0; j < x.length; j++) { s += x[j] * x[j]; e += (x[j] - y[j]) ** 2; maxd = Math.max(maxd, Math.abs(x[j] - y[j])); }
  }
  return { sqnrDb: 10 * Math.log10(s / e), top1: top / a.length, maxAbs: maxd,
    ...(a[0][out].data.length === 1 ? { decision: decision / a.length } : {}) };
}
let wasmqRun = null;
if (!qm.loadError) {
  const runs = [];
  for (const f of tests) runs.push(await qm.run(f));
  wasmqRun = { vsFloat: agg(ref, runs), vsQdq: agg(qdq, runs) };
}
console.log(JSON.stringify({ id, mode, calibration, nCalib, nTest, quantizeMs: Math.round(tq), passes: qm.passes,
  nodes: report.length, loadError: qm.loadError.slice(0, 200),
  qopVsFloat: agg(ref, qop), qdqVsFloat: agg(ref, qdq), qdqVsQop: agg(qop, qdq), wasmqRun,
  outScale: report.find((r) => r.output === out)?.scale ?? null }, null, 1));
if (args.includes('--report')) console.table(report);
qm.dispose();
model.dispose();
