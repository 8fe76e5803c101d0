// wq.quantizeModel: option errors, static/dynamic/weight-only on models built in code and on the real
// fixture models (PaddleOCR cls, openWakeWord), wasmq's int8 run against the float model, and the
// QDQ export in onnxruntime-node (child process) against wasmq's quantized run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

import { wasmq } from './model-helpers.mjs';
import { init } from '../../dist/node.mjs';
import { F32, model, node, tensor, valueInfo, attrInt, attrInts, attrFloat } from './onnx-builder.mjs';
import { modelBytes, modelPath, calibrationFeeds, ctcGreedy, editDistance, randomFeeds, readableLines, recAlphabet, rng, textLineFeeds,
  textMapComparison, textPageFeeds }
  from '../fixtures/models.mjs';
import { CALIBRATION_LINES } from '../fixtures/text-lines.mjs';
import { parseOnnx } from '../fixtures/onnx-info.mjs';

const require = createRequire(import.meta.url);
let ortAvailable = true;
try {
  require.resolve('onnxruntime-node');
} catch {
  ortAvailable = false;
}
const ort = ortAvailable ? await import('../peers/ort.mjs') : null;
const SLOW = process.env.WASMQ_SLOW === '1';
/** Activation tensors with int16 codes in a QOperator model: its INT16 zero points. */
const int16Tensors = (bytes) => parseOnnx(bytes).tensors.filter((t) => t.dtype === 'int16' && t.name.endsWith('__zp')).length;
const has = (id) => { try { return existsSync(modelPath(id)); } catch { return false; } };

function normal(n, r, sd = 1) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return a;
}

// Conv(3->8, 3x3) + BN + Relu + MaxPool 2x2 + Flatten + Gemm(128 -> 10).
function convNet(seed = 1) {
  const r = rng(seed);
  const varr = normal(8, r, 0.1).map((v) => Math.abs(v) + 0.5);
  return model({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1])], 'conv'),
      node('BatchNormalization', ['c', 'g', 'be', 'm', 'v'], ['bn'], [attrFloat('epsilon', 1e-5)], 'bn'),
      node('Relu', ['bn'], ['r'], [], 'relu'),
      node('MaxPool', ['r'], ['p'], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])], 'pool'),
      node('Flatten', ['p'], ['f'], [], 'flatten'),
      node('Gemm', ['f', 'fw', 'fb'], ['y'], [attrInt('transB', 1)], 'fc'),
    ],
    inputs: [valueInfo('x', F32, ['N', 3, 8, 8])],
    outputs: [valueInfo('y', F32, ['N', 10])],
    initializers: [
      tensor('w', F32, [8, 3, 3, 3], normal(216, r, 0.3)), tensor('b', F32, [8], normal(8, r, 0.1)),
      tensor('g', F32, [8], normal(8, r, 0.2).map((v) => v + 1)), tensor('be', F32, [8], normal(8, r, 0.2)),
      tensor('m', F32, [8], normal(8, r, 0.2)), tensor('v', F32, [8], varr),
      tensor('fw', F32, [10, 128], normal(1280, r, 0.1)), tensor('fb', F32, [10], normal(10, r, 0.1)),
    ],
  });
}

// MatMul MLP: x[N,64] -> MatMul 64x64 -> Add -> Relu -> MatMul 64x8 -> Add.
function mlp(seed = 2) {
  const r = rng(seed);
  return model({
    nodes: [
      node('MatMul', ['x', 'w1'], ['h'], [], 'mm1'), node('Add', ['h', 'b1'], ['hb'], [], 'add1'),
      node('Relu', ['hb'], ['hr'], [], 'relu1'), node('MatMul', ['hr', 'w2'], ['o'], [], 'mm2'),
      node('Add', ['o', 'b2'], ['y'], [], 'add2'),
    ],
    inputs: [valueInfo('x', F32, ['N', 64])],
    outputs: [valueInfo('y', F32, ['N', 8])],
    initializers: [tensor('w1', F32, [64, 64], normal(4096, r, 0.15)), tensor('b1', F32, [64], normal(64, r, 0.1)),
      tensor('w2', F32, [64, 8], normal(512, r, 0.15)), tensor('b2', F32, [8], normal(8, r, 0.1))],
  });
}

const feedsOf = (name, dims, seed, count) => Array.from({ length: count }, (_, i) => {
  const n = dims.reduce((a, b) => a * b, 1);
  return { [name]: { data: normal(n, rng(seed + i)), dims } };
});

function stats(refs, gots, name) {
  let s = 0, e = 0, agree = 0, maxd = 0;
  for (let i = 0; i < refs.length; i++) {
    const a = refs[i][name].data, b = gots[i][name].data;
    assert.equal(a.length, b.length);
    for (let j = 0; j < a.length; j++) { s += a[j] * a[j]; e += (a[j] - b[j]) ** 2; maxd = Math.max(maxd, Math.abs(a[j] - b[j])); }
    if (a.length === 1) agree += (a[0] > 0.5) === (b[0] > 0.5) ? 1 : 0;
    else {
      // Top-1 per row of the last dimension.
      const cols = refs[i][name].dims.at(-1), rows = a.length / cols;
      let ok = 0;
      for (let r = 0; r < rows; r++) {
        let ia = 0, ib = 0;
        for (let c = 1; c < cols; c++) {
          if (a[r * cols + c] > a[r * cols + ia]) ia = c;
          if (b[r * cols + c] > b[r * cols + ib]) ib = c;
        }
        ok += ia === ib ? 1 : 0;
      }
      agree += ok / rows;
    }
  }
  return { sqnrDb: 10 * Math.log10(s / e), top1: agree / refs.length, maxAbs: maxd };
}

async function runAll(m, feedList) {
  const out = [];
  for (const f of feedList) out.push(await m.run(f));
  return out;
}

test('bad options name the option', async () => {
  const { wq, loadModel } = await wasmq();
  const m = await loadModel(mlp());
  const data = feedsOf('x', [1, 64], 10, 2);
  try {
    await assert.rejects(wq.quantizeModel(m, { mode: 'fast', calibrationData: data }), /unknown mode 'fast'/);
    await assert.rejects(wq.quantizeModel(m, { mode: 'static', calibrationData: data, colour: 1 }), /unknown option 'colour'/);
    await assert.rejects(wq.quantizeModel(m, { weights: { dtype: 'int4' }, calibrationData: data }), /weights\.dtype must be 'int8'/);
    await assert.rejects(wq.quantizeModel(m, { mode: 'weight-only', weights: { dtype: 'int4', granularity: 'block', blockSize: 48 } }), /weights\.blockSize/);
    await assert.rejects(wq.quantizeModel(m, { activations: { calibration: 'magic' }, calibrationData: data }), /activations\.calibration 'magic'/);
    await assert.rejects(wq.quantizeModel(m, { activations: { dtype: 'int16' }, calibrationData: data }), /activations\.dtype/);
    await assert.rejects(wq.quantizeModel(m, { mode: 'dynamic', activations: { calibration: 'auto' } }), /'auto' needs mode 'static'/);
    await assert.rejects(wq.quantizeModel(m, { mode: 'static' }), /calibrationData is required/);
    await assert.rejects(wq.quantizeModel(m, { mode: 'static', calibrationData: [] }), /calibrationData is empty/);
    await assert.rejects(wq.quantizeModel(m, { calibrationData: 5 }), /calibrationData must be/);
    await assert.rejects(wq.quantizeModel(m, { calibrationData: data, exclude: ['nope'] }), /exclude names node 'nope'/);
    await assert.rejects(wq.quantizeModel(m, { calibrationData: data, onProgress: 3 }), /onProgress must be a function/);
    await assert.rejects(wq.quantizeModel(m, { calibrationData: [{ y: data[0].x }] }), /unknown input 'y'/);
    const relu = await loadModel(model({ nodes: [node('Relu', ['x'], ['y'])], inputs: [valueInfo('x', F32, [4])], outputs: [valueInfo('y', F32, [4])] }));
    await assert.rejects(wq.quantizeModel(relu, { calibrationData: [{ x: { data: new Float32Array(4), dims: [4] } }] }), /nothing to quantize/);
    relu.dispose();
    // The module stays usable.
    const qm = await wq.quantizeModel(m, { calibrationData: data });
    assert.ok(qm.report().length > 0);
    qm.dispose();
  } finally {
    m.dispose();
  }
});

test('static int8: Conv+BN+Relu+MaxPool+Gemm runs on int8 ops, reports, exports QDQ', async () => {
  const { wq, loadModel } = await wasmq();
  const bytes = convNet();
  const m = await loadModel(bytes);
  const calib = feedsOf('x', [2, 3, 8, 8], 100, 16);
  const progress = [];
  // An async iterable, read once.
  async function* gen() { for (const f of calib) yield f; }
  const qm = await wq.quantizeModel(m, { mode: 'static', calibrationData: gen(), onProgress: (p) => progress.push(p) });
  try {
    assert.equal(qm.loadError, '', 'wasmq runs the QOperator model');
    assert.equal(qm.passes.bnFolded, 1);
    assert.equal(progress.filter((p) => p.stage === 'calibrate').length, 16);
    assert.ok(progress.some((p) => p.stage === 'convert' && p.done === 1));
    assert.equal(progress.filter((p) => p.stage === 'report').length, 16);
    const rep = qm.report();
    assert.deepEqual(rep.map((r) => r.op), ['Conv+Relu', 'MaxPool', 'MatMul+Add']);
    assert.deepEqual(rep.map((r) => r.qop), ['QLinearConv', 'MaxPool', 'QGemm']);
    assert.equal(rep[0].zeroPoint, -128, 'fused Relu: range starts at 0');
    for (const r of rep) assert.ok(r.outputSqnrDb > 30, `${r.node}: ${r.outputSqnrDb} dB`);
    assert.ok(rep[0].weightSqnrDb > 35);
    // The QOperator graph wasmq runs holds no float Conv/Relu/Gemm: the int8 ops do the work.
    const { modelOpTypes } = await import('../../bindings/js/model.mjs');
    const qops = modelOpTypes(wq._m, qm.toOnnx({ form: 'qoperator' })).map((o) => o.opType);
    for (const op of ['Conv', 'Relu', 'Gemm', 'MatMul', 'BatchNormalization']) assert.ok(!qops.includes(op), `${op} left in ${qops}`);
    for (const op of ['QuantizeLinear', 'QLinearConv', 'QGemm', 'DequantizeLinear']) assert.ok(qops.includes(op), `${op} missing`);
    const tests = feedsOf('x', [2, 3, 8, 8], 500, 20);
    const ref = await runAll(m, tests);
    const got = await runAll(qm, tests);
    const s = stats(ref, got, 'y');
    console.log(`# conv-bn-relu-pool-gemm static int8: output SQNR ${s.sqnrDb.toFixed(2)} dB, top-1 ${(100 * s.top1).toFixed(1)} %`);
    assert.ok(s.sqnrDb >= 30, `output SQNR ${s.sqnrDb} dB`);
    assert.ok(s.top1 >= 0.99, `top-1 ${s.top1}`);
    // wasmq's own runtime loads the QDQ export too (its load-time QDQ fusion) and agrees.
    const back = await loadModel(qm.toOnnx());
    try {
      const d = stats(got, await runAll(back, tests), 'y');
      console.log(`# conv net: QDQ export in wasmq vs wasmq's QOperator run: max abs ${d.maxAbs.toExponential(3)}`);
      assert.ok(d.maxAbs <= rep.at(-1).scale * 1.0001, `QDQ export in wasmq: ${d.maxAbs}`);
    } finally {
      back.dispose();
    }
    if (ort) {
      const qdq = await ort.runOrtMany('node', qm.toOnnx(), tests);
      const step = rep.at(-1).scale;
      const d = stats(got, qdq, 'y');
      console.log(`# conv net: QDQ in onnxruntime-node vs wasmq: max abs ${d.maxAbs.toExponential(3)} (output step ${step.toExponential(3)})`);
      assert.ok(d.maxAbs <= step * 1.0001, `QDQ in onnxruntime-node vs wasmq: ${d.maxAbs} > one step ${step}`);
    }
  } finally {
    qm.dispose();
    m.dispose();
  }
});

test('dynamic and weight-only modes run on the MLP and report', async () => {
  const { wq, loadModel } = await wasmq();
  const m = await loadModel(mlp());
  const calib = feedsOf('x', [4, 64], 300, 4);
  const tests = feedsOf('x', [4, 64], 700, 10);
  const ref = await runAll(m, tests);
  try {
    for (const [mode, minSqnr, qop] of [['dynamic', 30, 'MatMulInteger'], ['weight-only', 12, 'MatMulNBits']]) {
      const qm = await wq.quantizeModel(m, { mode, calibrationData: calib });
      try {
        assert.equal(qm.loadError, '');
        const rep = qm.report();
        assert.deepEqual(rep.map((r) => r.qop), [qop, qop]);
        for (const r of rep) {
          assert.equal(r.scale, null);
          assert.ok(r.outputSqnrDb > minSqnr, `${mode} ${r.node}: ${r.outputSqnrDb} dB`);
          assert.ok(r.weightSqnrDb > (mode === 'dynamic' ? 35 : 15));
        }
        const s = stats(ref, await runAll(qm, tests), 'y');
        console.log(`# mlp ${mode}: output SQNR ${s.sqnrDb.toFixed(2)} dB, top-1 ${(100 * s.top1).toFixed(1)} %`);
        assert.ok(s.sqnrDb > minSqnr, `${mode}: output SQNR ${s.sqnrDb}`);
        if (ort) {
          const o = await ort.runOrtMany('node', qm.toOnnx(), tests);
          const d = stats(o, await runAll(qm, tests), 'y');
          assert.ok(d.sqnrDb > 40, `${mode}: onnxruntime-node vs wasmq ${d.sqnrDb} dB`);
        }
      } finally {
        qm.dispose();
      }
    }
  } finally {
    m.dispose();
  }
});

// Real models: float reference from wasmq's float runtime; quantized run in wasmq (int8 ops).
// The wake-word heads take seeded random embeddings; their top-1 is the decision p > 0.5.
const REAL = [
  { id: 'oww-hello-deepa', calib: 32, tests: SLOW ? 1000 : 200, batch: 1, minSqnr: 30, minTop1: 0.99, qdqMaxAbs: 0.004 },
  ...(SLOW ? [{ id: 'oww-namaste-deepa', calib: 32, tests: 1000, batch: 1, minSqnr: 30, minTop1: 0.99, qdqMaxAbs: 0.004 },
    { id: 'oww-hello-deepa-old', calib: 32, tests: 1000, batch: 1, minSqnr: 30, minTop1: 0.99, qdqMaxAbs: 0.004 }] : []),
];

// The PaddleOCR text-orientation classifier on real rendered text lines (tests/fixtures/
// text-lines.mjs: English prose in 7 Debian fonts, odd lines upside down; lines 0-99 calibrate,
// the rest test). Ground truth is the rotation, so float and int8 accuracy are measured too.
// Calibration 'auto' tries minmax, percentile and mse on the calibration lines and keeps the best
// (mse here). All-int8 activations: 28.1 dB on the test lines (minmax 25.7; 27.6-28.9 dB over
// calibration sets of 16-100 lines), below the issue's 30 dB target, which per-tensor int8 cannot
// reach here (docs/quantize-model.md); the floor is the measured value less 0.5 dB. With int16
// convolution inputs (activations.int16 'conv-inputs', A16W8 mixed precision: 54 tensors, the
// pre-hard-swish conv outputs included) it measures 34.1 dB, the floor again 0.5 dB below.
const CLS = { calibFeeds: 8, calibBatch: 8, tests: 500, batch: 10, minTop1: 0.99, maxAccuracyLoss: 0.01, qdqMaxAbs: 0.2 };
const CLS_CASES = [
  { label: 'static int8', int16: 'none', minSqnr: 27.5 },
  { label: "static int8 with int16 convolution inputs (activations.int16 'conv-inputs')", int16: 'conv-inputs', minSqnr: 33.5 },
];
for (const { label, int16, minSqnr } of CLS_CASES) {
  test(`ppocr-cls on real text lines: ${label}, calibration 'auto', keeps >= ${minSqnr} dB, top-1 on >= 99 % and the float model's accuracy; QDQ export agrees`,
    { skip: has('ppocr-cls') ? false : 'ppocr-cls is not installed' }, async () => {
      const id = 'ppocr-cls';
      const { wq, loadModel } = await wasmq();
      const m = await loadModel(modelBytes(id));
      const stages = new Set();
      const qm = await wq.quantizeModel(m, { mode: 'static', activations: { dtype: 'int8', calibration: 'auto', int16 },
        calibrationData: calibrationFeeds(id, { count: CLS.calibFeeds, batch: CLS.calibBatch }), onProgress: (p) => stages.add(p.stage) });
      try {
        assert.equal(qm.loadError, '');
        assert.deepEqual([...stages], ['calibrate', 'convert', 'auto', 'report']);
        // Each candidate measured on the calibration lines; the best one kept, and it is what runs.
        assert.deepEqual(qm.calibrationTrials.map((t) => t.calibration), ['minmax', 'percentile', 'mse']);
        const best = qm.calibrationTrials.reduce((b, t) => (t.outputSqnrDb > b.outputSqnrDb ? t : b));
        console.log(`# ppocr-cls ${label}, calibration 'auto' on ${CLS.calibFeeds * CLS.calibBatch} calibration lines: ` +
          `${qm.calibrationTrials.map((t) => `${t.calibration} ${t.outputSqnrDb.toFixed(2)} dB`).join(', ')} -> ${qm.calibration}`);
        assert.equal(qm.calibration, best.calibration);
        assert.ok(Math.abs(qm.outputSqnrDb - best.outputSqnrDb) < 0.01, `report ${qm.outputSqnrDb} vs trial ${best.outputSqnrDb}`);
        const tests = [], rotated = [];
        for (let i = 0; i < CLS.tests / CLS.batch; i++) {
          const t = textLineFeeds(id, { start: CALIBRATION_LINES + i * CLS.batch, batch: CLS.batch });
          tests.push(t.feeds);
          rotated.push(...t.rotated);
        }
        const out = m.outputs[0].name;
        const ref = await runAll(m, tests);
        const got = await runAll(qm, tests);
        const s = stats(ref, got, out);
        const accuracy = (runs) => runs.flatMap((r) => Array.from({ length: r[out].dims[0] }, (_, n) => r[out].data[2 * n + 1] > r[out].data[2 * n]))
          .filter((up, i) => up === rotated[i]).length / rotated.length;
        const accF = accuracy(ref), accQ = accuracy(got);
        console.log(`# ppocr-cls ${label} on ${CLS.tests} text lines: output SQNR ${s.sqnrDb.toFixed(2)} dB, top-1 agreement ` +
          `${(100 * s.top1).toFixed(1)} %, accuracy float ${(100 * accF).toFixed(1)} % / quantized ${(100 * accQ).toFixed(1)} %`);
        assert.ok(accF >= 0.97, `the float model reads these lines (accuracy ${accF}): the fixture is realistic`);
        assert.ok(s.sqnrDb >= minSqnr, `output SQNR ${s.sqnrDb} dB`);
        assert.ok(s.top1 >= CLS.minTop1, `top-1 agreement ${s.top1}`);
        assert.ok(accQ >= accF - CLS.maxAccuracyLoss, `quantized accuracy ${accQ} vs float ${accF}`);
        const rep = qm.report();
        assert.ok(rep.every((r) => Number.isFinite(r.outputSqnrDb) && r.outputSqnrDb > 5), JSON.stringify(rep.map((r) => r.outputSqnrDb)));
        // int8 weights and nothing else: the exports are smaller than the float file (no float
        // weights or folding leftovers kept as dead initializers).
        const floatBytes = modelBytes(id).length;
        for (const form of ['qdq', 'qoperator']) {
          const n = (form === 'qdq' ? qm.toOnnx() : qm.toOnnx({ form })).length;
          assert.ok(n < floatBytes / 2, `${form} export ${n} bytes vs float ${floatBytes}`);
        }
        // What runs: int16 zero points in the QOperator model exactly when asked for.
        const i16 = int16Tensors(qm.toOnnx({ form: 'qoperator' }));
        console.log(`# ppocr-cls ${label}: ${i16} int16 activation tensors`);
        if (int16 === 'none') assert.equal(i16, 0);
        else assert.ok(i16 >= 50, `${i16} int16 tensors`);
        if (ort) {
          const qdq = await ort.runOrtMany('node', qm.toOnnx(), tests.slice(0, 3));
          const d = stats(qdq, got.slice(0, 3), out);
          console.log(`# ppocr-cls ${label}: QDQ export in onnxruntime-node vs wasmq: max abs ${d.maxAbs.toExponential(3)}, SQNR ${d.sqnrDb.toFixed(1)} dB`);
          assert.ok(d.maxAbs <= CLS.qdqMaxAbs, `QDQ vs wasmq: max abs ${d.maxAbs} > ${CLS.qdqMaxAbs}`);
        }
      } finally {
        qm.dispose();
        m.dispose();
      }
    });
}

for (const { id, calib, tests: nTests, batch, minSqnr, minTop1, qdqMaxAbs } of REAL) {
  test(`${id}: static int8 keeps >= ${minSqnr} dB and top-1 on >= ${100 * minTop1} % of inputs; QDQ export agrees`, { skip: has(id) ? false : `${id} is not installed` }, async () => {
    const { wq, loadModel } = await wasmq();
    const m = await loadModel(modelBytes(id));
    const qm = await wq.quantizeModel(m, { mode: 'static', activations: { dtype: 'int8', calibration: 'minmax' },
      calibrationData: calibrationFeeds(id, { count: calib }) });
    try {
      assert.equal(qm.loadError, '');
      const rep = qm.report();
      assert.ok(rep.length > 0 && rep.every((r) => r.outputSqnrDb !== null));
      const tests = [];
      for (let i = 0; i < nTests / batch; i++) tests.push(randomFeeds(id, { seed: 9000 + i }));
      const out = m.outputs[0].name;
      const ref = await runAll(m, tests);
      const got = await runAll(qm, tests);
      const s = stats(ref, got, out);
      console.log(`# ${id} static int8: output SQNR ${s.sqnrDb.toFixed(2)} dB, top-1 agreement ${(100 * s.top1).toFixed(1)} % over ${nTests} inputs`);
      assert.ok(s.sqnrDb >= minSqnr, `output SQNR ${s.sqnrDb} dB`);
      assert.ok(s.top1 >= minTop1, `top-1 agreement ${s.top1}`);
      // Per-layer SQNR is measured, finite, and falls no lower than the output's by far.
      assert.ok(rep.every((r) => Number.isFinite(r.outputSqnrDb) && r.outputSqnrDb > 5), JSON.stringify(rep.map((r) => r.outputSqnrDb)));
      if (ort) {
        const qdq = await ort.runOrtMany('node', qm.toOnnx(), tests.slice(0, 10));
        const d = stats(qdq, got.slice(0, 10), out);
        console.log(`# ${id}: QDQ export in onnxruntime-node vs wasmq: max abs ${d.maxAbs.toExponential(3)}, SQNR ${d.sqnrDb.toFixed(1)} dB`);
        assert.ok(d.maxAbs <= qdqMaxAbs, `QDQ vs wasmq: max abs ${d.maxAbs} > ${qdqMaxAbs}`);
      }
    } finally {
      qm.dispose();
      m.dispose();
    }
  });
}

// Conv -> hard-swish spelled x * Clip(x + 3, 0, 6) / 6 (as PaddleOCR exports it): values below -3
// all give 0, so the Conv output's int8 range starts at -3, not at the calibrated minimum.
test('a tensor feeding only a hard-swish is calibrated from -3', async () => {
  const { wq, loadModel } = await wasmq();
  const r = rng(11);
  const hswishNet = (withOtherUse) => model({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], [attrInts('kernel_shape', [1, 1])], 'conv'),
      node('Add', ['c', 'three'], ['c3'], [], 'add3'),
      node('Clip', ['c3', 'zero', 'six'], ['r6'], [], 'clip'),
      node('Mul', ['c', 'r6'], ['m'], [], 'mul'),
      node('Div', ['m', 'six'], ['h'], [], 'div'),
      node('Conv', ['h', 'w2'], ['y'], [attrInts('kernel_shape', [1, 1])], 'conv2'),
      ...(withOtherUse ? [node('Relu', ['c'], ['z'], [], 'relu')] : []),
    ],
    inputs: [valueInfo('x', F32, ['N', 4, 4, 4])],
    outputs: [valueInfo('y', F32, ['N', 4, 4, 4]), ...(withOtherUse ? [valueInfo('z', F32, ['N', 4, 4, 4])] : [])],
    initializers: [tensor('w', F32, [4, 4, 1, 1], normal(16, r, 2)), tensor('b', F32, [4], Float32Array.of(-4, 0, 1, -2)),
      tensor('w2', F32, [4, 4, 1, 1], normal(16, r, 0.5)), tensor('three', F32, [], [3]), tensor('zero', F32, [], [0]),
      tensor('six', F32, [], [6])],
  });
  const calib = feedsOf('x', [2, 4, 4, 4], 300, 4);
  const minOf = (row) => (-128 - row.zeroPoint) * row.scale;
  for (const other of [false, true]) {
    const m = await loadModel(hswishNet(other));
    const qm = await wq.quantizeModel(m, { mode: 'static', calibrationData: calib });
    try {
      const conv = qm.report().find((row) => row.node === 'conv');
      // With another consumer the calibrated minimum is kept, and it is far below -3 (bias -4,
      // weights with sd 2): so the -3 of the first model is the hard-swish rule, not the data.
      const ref = await runAll(m, calib);
      if (!other) {
        assert.ok(Math.abs(minOf(conv) + 3) <= conv.scale, `min ${minOf(conv)} (scale ${conv.scale})`);
        // The report compares such a tensor above -3 (below it all values mean 0 after the
        // hard-swish), so the deliberate clamp does not show up as error.
        assert.ok(conv.outputSqnrDb > 30, `report SQNR of the clamped tensor ${conv.outputSqnrDb} dB`);
      }
      else assert.ok(minOf(conv) < -3 - 2 * conv.scale, `another consumer (Relu) sees c: full range kept, min ${minOf(conv)}`);
      // Exact: the quantized model still matches the float one within a few steps of the output.
      const got = await runAll(qm, calib);
      assert.ok(stats(ref, got, 'y').sqnrDb > 25, `SQNR ${stats(ref, got, 'y').sqnrDb}`);
    } finally {
      qm.dispose();
      m.dispose();
    }
  }
});

// PP-OCRv4 recognizer on real text lines: what int8 costs in characters read. The float model reads
// the upright, unsquashed lines exactly; the int8 floor is the measured character error rate plus
// a margin (not a target: docs/quantize-model.md has the per-layer analysis).
test('ppocr-rec on real text lines: float reads them; static int8 character error rate is measured', { skip: has('ppocr-rec') ? false : 'ppocr-rec is not installed' }, async () => {
  const id = 'ppocr-rec';
  const { wq, loadModel } = await wasmq();
  const m = await loadModel(modelBytes(id));
  const qm = await wq.quantizeModel(m, { mode: 'static', calibrationData: calibrationFeeds(id, { count: 16 }) });
  try {
    const alphabet = recAlphabet();
    const lines = readableLines(SLOW ? 500 : 40);   // 86 such lines in all
    let chars = 0, errF = 0, errQ = 0, exactF = 0, exactQ = 0;
    for (const k of lines) {
      const { feeds, texts } = textLineFeeds(id, { start: k, batch: 1 });
      const truth = texts[0].trim();
      const f = ctcGreedy(Object.values(await m.run(feeds))[0], alphabet);
      const q = ctcGreedy(Object.values(await qm.run(feeds))[0], alphabet);
      chars += truth.length;
      errF += editDistance(f, truth);
      errQ += editDistance(q, truth);
      exactF += f === truth;
      exactQ += q === truth;
    }
    const cerF = errF / chars, cerQ = errQ / chars;
    console.log(`# ppocr-rec on ${lines.length} text lines: float ${(100 * exactF / lines.length).toFixed(1)} % exact (CER ${(100 * cerF).toFixed(2)} %), ` +
      `static int8 ${(100 * exactQ / lines.length).toFixed(1)} % exact (CER ${(100 * cerQ).toFixed(2)} %)`);
    assert.ok(exactF / lines.length >= 0.95 && cerF <= 0.01, `the float model reads the fixture lines (exact ${exactF}, CER ${cerF})`);
    assert.ok(cerQ <= 0.03, `int8 character error rate ${cerQ}`);
  } finally {
    qm.dispose();
    m.dispose();
  }
});

// Calibration and the report stream the observed tensors out of the runs (memory of one plain run
// plus one feed's 8-bit codes): a batch runs one sample at a time, wasm memory stays well below
// what keeping every tensor alive took, and a sample too large is a clear Error with the remedy.
test('calibration observes tensors as they are produced and runs a batch one sample at a time (same ranges, bounded memory); a sample too large for wasm memory is an Error that says what to do', { skip: has('ppocr-rec') ? false : 'ppocr-rec is not installed' }, async () => {
  // A fresh module: its memory only grows, so its size after quantizing is the peak.
  const fresh = await init();
  const rec = await fresh.loadModel(modelBytes('ppocr-rec'));
  const loaded = fresh._m.modelHeapInUse();
  const qr = await fresh.quantizeModel(rec, { mode: 'static', calibrationData: calibrationFeeds('ppocr-rec', { count: 4 }) });
  const mb = fresh._m.HEAP8.length / 2 ** 20, held = (fresh._m.modelHeapInUse() - loaded) / 2 ** 20;
  console.log(`# ppocr-rec, 4 calibration lines: wasm memory ${mb.toFixed(0)} MB after quantizing (358 MB when every observed tensor stayed alive); the quantized model holds ${held.toFixed(0)} MB`);
  assert.ok(mb < 200, `${mb} MB`);
  assert.ok(held < 40, `the calibration state is released at the end: ${held} MB held`);
  assert.ok((await qr.run(calibrationFeeds('ppocr-rec', { count: 1 })[0])) && qr.toOnnx({ form: 'report' }).length > 0);
  qr.dispose();
  rec.dispose();
  const { wq, loadModel } = await wasmq();
  const m = await loadModel(modelBytes('ppocr-rec'));
  try {
    const batched = await wq.quantizeModel(m, { mode: 'static', calibrationData: calibrationFeeds('ppocr-rec', { count: 1, batch: 4 }) });
    const single = await wq.quantizeModel(m, { mode: 'static', calibrationData: calibrationFeeds('ppocr-rec', { count: 4 }) });
    const a = batched.report(), b = single.report();
    assert.ok(a.length > 100 && a.length === b.length);
    assert.ok(a.every((r, i) => r.scale === b[i].scale && r.zeroPoint === b[i].zeroPoint), 'batch 4 and 4 feeds of batch 1 give the same ranges');
    batched.dispose();
    single.dispose();
    const w = 20480;   // one line 64x as wide as PaddleOCR's (16x quantizes now, in 0.7 GB)
    await assert.rejects(wq.quantizeModel(m, { mode: 'static', calibrationData: [{ x: { data: new Float32Array(3 * 48 * w), dims: [1, 3, 48, w] } }] }),
      /out of memory.*one sample at a time.*use smaller inputs/);
    const qm = await wq.quantizeModel(m, { mode: 'static', calibrationData: calibrationFeeds('ppocr-rec', { count: 1 }) });
    assert.ok(qm.report().length > 100);   // the module keeps working
    qm.dispose();
  } finally {
    m.dispose();
  }
});

test('a dynamic first dimension that is not a batch is not split: calibration sees the whole feed', async () => {
  // y = (x - mean over dim 0 of x) W: one row alone is all zeros after the Sub, so observing the
  // rows one at a time would calibrate the MatMul's input to [0, 0]. The MLP (rows independent)
  // is split and gives the same ranges as one feed per row.
  const { wq, loadModel } = await wasmq();
  const r = rng(7);
  const mixing = await loadModel(model({
    nodes: [node('ReduceMean', ['x'], ['m'], [attrInts('axes', [0]), attrInt('keepdims', 1)], 'mean'),
      node('Sub', ['x', 'm'], ['c'], [], 'center'), node('MatMul', ['c', 'w'], ['y'], [], 'mm')],
    inputs: [valueInfo('x', F32, ['N', 16])], outputs: [valueInfo('y', F32, ['N', 4])],
    initializers: [tensor('w', F32, [16, 4], normal(64, r, 0.3))],
  }));
  const rows = await loadModel(mlp());
  try {
    const batch = feedsOf('x', [6, 16], 300, 4);
    const qm = await wq.quantizeModel(mixing, { calibrationData: batch });
    const s = stats(await runAll(mixing, batch), await runAll(qm, batch), 'y');
    assert.ok(s.sqnrDb > 30, `row-mixing model calibrated on whole feeds: ${s.sqnrDb} dB`);
    assert.ok(qm.report()[0].scale > 1e-3, `MatMul input range from the whole feeds (scale ${qm.report()[0].scale})`);
    qm.dispose();
    const whole = feedsOf('x', [5, 64], 400, 2);
    const single = whole.flatMap((f) => Array.from({ length: 5 }, (_, k) => ({ x: { data: f.x.data.slice(k * 64, (k + 1) * 64), dims: [1, 64] } })));
    const a = await wq.quantizeModel(rows, { calibrationData: whole }), b = await wq.quantizeModel(rows, { calibrationData: single });
    assert.deepEqual(a.report().map((x) => [x.scale, x.zeroPoint]), b.report().map((x) => [x.scale, x.zeroPoint]));
    a.dispose();
    b.dispose();
  } finally {
    mixing.dispose();
    rows.dispose();
  }
});

// Dynamic mode on the Conv net: Conv -> ConvInteger (int8 weights per output channel, scalar zero
// point 0 since onnxruntime's ConvInteger refuses a per-channel one), MatMul -> MatMulInteger. The
// exported graph is what wasmq runs; onnxruntime-node must load it and agree.
test('dynamic mode rewrites Conv to ConvInteger; onnxruntime-node runs the export and agrees', async () => {
  const { wq, loadModel } = await wasmq();
  const m = await loadModel(convNet());
  const tests = feedsOf('x', [2, 3, 8, 8], 1700, 20);
  const qm = await wq.quantizeModel(m, { mode: 'dynamic' });
  try {
    assert.equal(qm.loadError, '');
    const rep = qm.report();
    assert.deepEqual(rep.map((r) => [r.node, r.qop]), [['conv', 'ConvInteger'], ['fc', 'MatMulInteger']]);
    assert.ok(rep[0].weightSqnrDb > 35, `conv weight SQNR ${rep[0].weightSqnrDb}`);
    const { modelOpTypes } = await import('../../bindings/js/model.mjs');
    const ops = modelOpTypes(wq._m, qm.toOnnx()).map((o) => o.opType);
    assert.ok(ops.includes('ConvInteger') && !ops.includes('Conv'), ops.join(','));
    const ref = await runAll(m, tests);
    const got = await runAll(qm, tests);
    const s = stats(ref, got, 'y');
    console.log(`# conv net dynamic: output SQNR ${s.sqnrDb.toFixed(2)} dB, top-1 ${(100 * s.top1).toFixed(1)} %`);
    assert.ok(s.sqnrDb >= 30, `dynamic conv net: output SQNR ${s.sqnrDb} dB`);
    assert.ok(s.top1 >= 0.95, `dynamic conv net: top-1 ${s.top1}`);
    if (ort) {
      const o = await ort.runOrtMany('node', qm.toOnnx(), tests);
      const d = stats(o, got, 'y');
      console.log(`# conv net dynamic: onnxruntime-node vs wasmq: max abs ${d.maxAbs.toExponential(3)}, SQNR ${d.sqnrDb.toFixed(1)} dB`);
      assert.ok(d.sqnrDb > 80, `onnxruntime-node vs wasmq: ${d.sqnrDb} dB (max abs ${d.maxAbs})`);
    }
  } finally {
    qm.dispose();
    m.dispose();
  }
});

// Dynamic mode on the PaddleOCR classifier: its 53 Convs become ConvInteger, the head MatMulInteger.
// Measured: 21.1 dB, 96 % top-1 against float on these 100 inputs (static int8: 18.9 dB, 96 %), so
// the floors below are the measured values minus a margin, not the issue's target. The two runtimes
// round DynamicQuantizeLinear's inputs from float activations that differ in the last bits, and the
// network amplifies the one-step flips (they agree to 5e-6 with only the first 5 nodes quantized).
test('ppocr-cls: dynamic int8 (ConvInteger) on text lines keeps >= 34 dB and top-1 on >= 99 % (measured 37.9 dB, 100 %); onnxruntime-node agrees', { skip: has('ppocr-cls') ? false : 'ppocr-cls is not installed' }, async () => {
  const id = 'ppocr-cls';
  const { wq, loadModel } = await wasmq();
  const m = await loadModel(modelBytes(id));
  const qm = await wq.quantizeModel(m, { mode: 'dynamic' });
  try {
    assert.equal(qm.loadError, '');
    const rep = qm.report();
    const convs = rep.filter((r) => r.qop === 'ConvInteger').length;
    assert.ok(convs > 40, `${convs} ConvInteger rows`);
    assert.ok(rep.every((r) => r.weightSqnrDb > 20), JSON.stringify(rep.map((r) => r.weightSqnrDb)));
    const tests = [];
    for (let i = 0; i < 10; i++) tests.push(textLineFeeds(id, { start: CALIBRATION_LINES + 10 * i, batch: 10 }).feeds);
    const out = m.outputs[0].name;
    const got = await runAll(qm, tests);
    const s = stats(await runAll(m, tests), got, out);
    console.log(`# ${id} dynamic int8: output SQNR ${s.sqnrDb.toFixed(2)} dB, top-1 agreement ${(100 * s.top1).toFixed(1)} % over 100 inputs`);
    assert.ok(s.sqnrDb >= 34, `output SQNR ${s.sqnrDb} dB`);
    assert.ok(s.top1 >= 0.99, `top-1 agreement ${s.top1}`);
    if (ort) {
      const o = await ort.runOrtMany('node', qm.toOnnx(), tests.slice(0, 4));
      const d = stats(o, got.slice(0, 4), out);
      console.log(`# ${id} dynamic: onnxruntime-node vs wasmq: max abs ${d.maxAbs.toExponential(3)}, SQNR ${d.sqnrDb.toFixed(1)} dB, top-1 ${(100 * d.top1).toFixed(1)} %`);
      assert.ok(d.maxAbs <= 0.2, `onnxruntime-node vs wasmq: max abs ${d.maxAbs}`);
    }
  } finally {
    qm.dispose();
    m.dispose();
  }
});

// Static MatMul + constant bias Add (a split Gemm, or an exporter's Linear layer on a 3-D input):
// one com.microsoft QGemm with an int32 bias = round(b / (x_scale * w_scale[n])) in wasmq's graph; the
// QDQ export is DQ(x), DQ(W int8, axis 1), DQ(bias int32) -> Gemm -> Q for a 2-D x (wasmq's loader
// fuses it back into QGemm), MatMul -> Add for other ranks; onnxruntime-node must load it and agree
// with within one output step.
test('static MatMul + bias Add runs as QGemm (2-D and 3-D inputs); QDQ export agrees in onnxruntime-node', async () => {
  const { wq, loadModel } = await wasmq();
  for (const threeD of [false, true]) {
    const r = rng(threeD ? 31 : 30);
    const b1 = normal(64, r, 0.1);
    b1[5] = 8;  // one bias far outside the others' range: an int8 bias tensor rounds the small ones to 0
    const bytes = model({
      nodes: [
        node('MatMul', ['x', 'w1'], ['h'], [], 'mm1'), node('Add', ['h', 'b1'], ['hb'], [], 'add1'),
        node('Relu', ['hb'], ['hr'], [], 'relu1'), node('MatMul', ['hr', 'w2'], ['o'], [], 'mm2'),
        node('Add', ['b2', 'o'], ['y'], [], 'add2'),  // bias first: either operand order
      ],
      inputs: [valueInfo('x', F32, threeD ? ['N', 6, 64] : ['N', 64])],
      outputs: [valueInfo('y', F32, threeD ? ['N', 6, 8] : ['N', 8])],
      initializers: [tensor('w1', F32, [64, 64], normal(4096, r, 0.15)), tensor('b1', F32, [64], b1),
        tensor('w2', F32, [64, 8], normal(512, r, 0.15)), tensor('b2', F32, [8], normal(8, r, 0.1))],
    });
    const dims = threeD ? [2, 6, 64] : [4, 64];
    const m = await loadModel(bytes);
    const qm = await wq.quantizeModel(m, { mode: 'static', calibrationData: feedsOf('x', dims, 300, 16) });
    try {
      assert.equal(qm.loadError, '');
      const rep = qm.report();
      assert.deepEqual(rep.map((x) => [x.op, x.qop]), [['MatMul+Add+Relu', 'QGemm'], ['MatMul+Add', 'QGemm']]);
      const { modelOpTypes } = await import('../../bindings/js/model.mjs');
      const qops = modelOpTypes(wq._m, qm.toOnnx({ form: 'qoperator' })).map((o) => o.opType);
      assert.ok(!qops.includes('QLinearAdd') && !qops.includes('QLinearMatMul') && qops.includes('QGemm'), qops.join(','));
      const tests = feedsOf('x', dims, 800, 20);
      const ref = await runAll(m, tests);
      const got = await runAll(qm, tests);
      const s = stats(ref, got, 'y');
      console.log(`# mlp ${threeD ? '3-D' : '2-D'} static QGemm: output SQNR ${s.sqnrDb.toFixed(2)} dB, top-1 ${(100 * s.top1).toFixed(1)} %`);
      assert.ok(s.sqnrDb >= 30, `output SQNR ${s.sqnrDb} dB`);
      const exported = modelOpTypes(wq._m, qm.toOnnx()).map((o) => o.opType);
      assert.equal(exported.includes('Gemm'), !threeD, exported.join(','));
      // wasmq loads its own export: the 2-D Gemm pattern fuses back into QGemm, bit-identical.
      const back = await loadModel(qm.toOnnx());
      const dBack = stats(got, await runAll(back, tests), 'y');
      back.dispose();
      if (!threeD) assert.equal(dBack.maxAbs, 0, 'QDQ export in wasmq vs wasmq');
      else assert.ok(dBack.maxAbs <= rep.at(-1).scale * 1.0001, `QDQ export in wasmq vs wasmq: ${dBack.maxAbs}`);
      if (ort) {
        const qdq = await ort.runOrtMany('node', qm.toOnnx(), tests);
        const d = stats(qdq, got, 'y');
        const step = rep.at(-1).scale;
        console.log(`# mlp ${threeD ? '3-D' : '2-D'}: QDQ in onnxruntime-node vs wasmq: max abs ${d.maxAbs.toExponential(3)} (output step ${step.toExponential(3)})`);
        assert.ok(d.maxAbs <= step * 1.0001, `QDQ in onnxruntime-node vs wasmq: ${d.maxAbs} > one step ${step}`);
      }
    } finally {
      qm.dispose();
      m.dispose();
    }
  }
});

// det's head in small: Conv -> Relu -> ConvTranspose 2x2/2 -> Add(bias) -> BatchNormalization -> Relu
// -> ConvTranspose 2x2/2 (with its bias input) -> Sigmoid (or the ConvTranspose as the output).
function convTransposeNet(seed = 40, sigmoid = true) {
  const r = rng(seed);
  return model({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1])], 'conv'),
      node('Relu', ['c'], ['cr'], [], 'relu0'),
      node('ConvTranspose', ['cr', 'tw1'], ['t1'], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])], 'convt1'),
      node('Add', ['t1', 'tb1'], ['t1b'], [], 'bias1'),
      node('BatchNormalization', ['t1b', 'g', 'be', 'm', 'v'], ['bn'], [attrFloat('epsilon', 1e-5)], 'bn'),
      node('Relu', ['bn'], ['br'], [], 'relu1'),
      node('ConvTranspose', ['br', 'tw2', 'tb2'], [sigmoid ? 't2' : 'y'], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])], 'convt2'),
      ...(sigmoid ? [node('Sigmoid', ['t2'], ['y'], [], 'sigmoid')] : []),
    ],
    inputs: [valueInfo('x', F32, ['N', 3, 5, 7])],
    outputs: [valueInfo('y', F32, ['N', 1, 20, 28])],
    initializers: [
      tensor('w', F32, [8, 3, 3, 3], normal(216, r, 0.3)), tensor('b', F32, [8], normal(8, r, 0.1)),
      tensor('tw1', F32, [8, 6, 2, 2], normal(192, r, 0.3)), tensor('tb1', F32, [1, 6, 1, 1], normal(6, r, 0.2)),
      tensor('g', F32, [6], normal(6, r, 0.2).map((v) => v + 1)), tensor('be', F32, [6], normal(6, r, 0.2)),
      tensor('m', F32, [6], normal(6, r, 0.2)), tensor('v', F32, [6], normal(6, r, 0.1).map((v) => Math.abs(v) + 0.5)),
      tensor('tw2', F32, [6, 1, 2, 2], normal(24, r, 0.5)), tensor('tb2', F32, [1], [0.1]),
    ],
  });
}

test('static int8 ConvTranspose (2x2/2, Add and BN folded, Relu fused) runs as QLinearConvTranspose; QDQ export agrees in onnxruntime-node', async () => {
  const { wq, loadModel } = await wasmq();
  for (const sigmoid of [true, false]) {
  const m = await loadModel(convTransposeNet(40, sigmoid));
  const qm = await wq.quantizeModel(m, { mode: 'static', calibrationData: feedsOf('x', [2, 3, 5, 7], 700, 16) });
  try {
    assert.equal(qm.loadError, '');
    assert.equal(qm.passes.bnFolded, 1, 'BatchNormalization folded into the ConvTranspose');
    assert.ok(qm.passes.affineFolded >= 1, 'the bias Add folded into the ConvTranspose');
    const rep = qm.report();
    assert.deepEqual(rep.map((x) => [x.node, x.op, x.qop]), [['conv', 'Conv+Relu', 'QLinearConv'],
      ['convt1', 'ConvTranspose+Relu', 'QLinearConvTranspose'], ['convt2', 'ConvTranspose', 'QLinearConvTranspose'],
      ...(sigmoid ? [['sigmoid', 'Sigmoid', 'QLinearSigmoid']] : [])]);
    for (const x of rep) assert.ok(x.outputSqnrDb > 25, `${x.node}: ${x.outputSqnrDb} dB`);
    assert.ok(rep[1].weightSqnrDb > 35 && rep[2].weightSqnrDb > 35);
    const { modelOpTypes } = await import('../../bindings/js/model.mjs');
    const qops = modelOpTypes(wq._m, qm.toOnnx({ form: 'qoperator' })).map((o) => o.opType);
    for (const op of ['ConvTranspose', 'Add', 'BatchNormalization', 'Relu']) assert.ok(!qops.includes(op), `${op} left in ${qops}`);
    // The int8 op is what runs: a step of the quantized model in the profile.
    const qrun = await loadModel(qm.toOnnx({ form: 'qoperator' }));
    try {
      qrun.setProfiling(true);
      await qrun.run(feedsOf('x', [1, 3, 5, 7], 1, 1)[0]);
      const steps = qrun.profile().filter((p) => p.opType === 'com.microsoft:QLinearConvTranspose');
      assert.equal(steps.length, 2, JSON.stringify(qrun.profile().map((p) => p.opType)));
    } finally {
      qrun.dispose();
    }
    const tests = feedsOf('x', [2, 3, 5, 7], 900, 10);
    const ref = await runAll(m, tests);
    const got = await runAll(qm, tests);
    const s = stats(ref, got, 'y');
    console.log(`# convtranspose net${sigmoid ? ' + Sigmoid' : ''} static int8: output SQNR ${s.sqnrDb.toFixed(2)} dB, layers ${rep.map((x) => x.outputSqnrDb.toFixed(1)).join(' / ')} dB`);
    assert.ok(s.sqnrDb >= 25, `output SQNR ${s.sqnrDb} dB`);
    const exported = modelOpTypes(wq._m, qm.toOnnx()).map((o) => o.opType);
    assert.equal(exported.filter((o) => o === 'ConvTranspose').length, 2, exported.join(','));
    const step = rep.at(-1).scale;
    // wasmq loads its own QDQ export: DQ -> ConvTranspose -> Q fuses back into QLinearConvTranspose.
    const back = await loadModel(qm.toOnnx());
    try {
      const dBack = stats(got, await runAll(back, tests), 'y');
      assert.ok(dBack.maxAbs <= step * 1.0001, `QDQ export in wasmq vs wasmq: ${dBack.maxAbs}`);
      back.setProfiling(true);
      await back.run(tests[0]);
      assert.equal(back.profile().filter((p) => p.opType === 'com.microsoft:QLinearConvTranspose').length, 2);
    } finally {
      back.dispose();
    }
    if (ort) {
      const qdq = await ort.runOrtMany('node', qm.toOnnx(), tests);
      const d = stats(qdq, got, 'y');
      console.log(`# convtranspose net${sigmoid ? ' + Sigmoid' : ''}: QDQ in onnxruntime-node vs wasmq: max abs ${d.maxAbs.toExponential(3)} (output step ${step.toExponential(3)})`);
      assert.ok(d.maxAbs <= step * 1.0001, `QDQ in onnxruntime-node vs wasmq: ${d.maxAbs} > one step ${step}`);
    }
  } finally {
    qm.dispose();
    m.dispose();
  }
  }
});

// PP-OCRv4 detector on pages of real rendered text lines: the probability map binarized at
// PaddleOCR's threshold 0.3 must cover the same pixels in int8 as in float (IoU), and the float
// model must find text there (the fixture is realistic).
test('ppocr-det on text pages: static int8 keeps the binarized text map (IoU >= 0.93)', { skip: has('ppocr-det') ? false : 'ppocr-det is not installed' }, async () => {
  const id = 'ppocr-det';
  const { wq, loadModel } = await wasmq();
  const m = await loadModel(modelBytes(id));
  const qm = await wq.quantizeModel(m, { mode: 'static', calibrationData: calibrationFeeds(id, { count: 4 }) });
  try {
    let start = CALIBRATION_LINES;
    const cmp = textMapComparison();
    for (let i = 0; i < (SLOW ? 20 : 4); i++) {
      const page = textPageFeeds(id, { start });
      start = page.lines.at(-1) + 1;
      cmp.add(Object.values(await m.run(page.feeds))[0].data, Object.values(await qm.run(page.feeds))[0].data);
    }
    const { iou, sqnrDb: sqnr, floatText: a, pixels: n } = cmp.result();
    console.log(`# ppocr-det static int8 on text pages: map SQNR ${sqnr.toFixed(2)} dB, text pixels float ${(100 * a / n).toFixed(1)} %, IoU int8 vs float ${iou.toFixed(3)}`);
    assert.ok(a / n > 0.05, `the float model finds text on the pages (${a} of ${n} pixels)`);
    assert.ok(iou >= 0.93, `IoU ${iou}`);
    assert.ok(sqnr >= 13, `map SQNR ${sqnr} dB (measured floor)`);
  } finally {
    qm.dispose();
    m.dispose();
  }
});
