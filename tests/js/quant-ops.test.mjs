// Quantized ops end to end: small QOperator (QLinearConv, depthwise, QLinearAdd, QLinearSigmoid,
// QLinearGlobalAveragePool, QLinearAveragePool,
// QLinearMatMul, MatMulInteger, QGemm, MatMulNBits) and QDQ models built in JS, run through loadModel and
// compared with onnxruntime-node (child process): equal within one quantization step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F32, I8, I16, I32, U8, Pb, attrInt, attrInts, graph, node, tensor, valueInfo } from './onnx-builder.mjs';
import { wasmq } from './model-helpers.mjs';
import { init } from '../../dist/node.mjs';
import { loadModel as loadModelOn } from '../../bindings/js/model.mjs';

let ort = null;
try {
  ort = await import('../peers/ort.mjs');
  await import('onnxruntime-node');
} catch {
  ort = null;
}
const skip = ort ? false : 'onnxruntime-node is not installed';

function msNode(op, inputs, outputs, attrs = []) {
  return node(op, inputs, outputs, attrs).len(7, 'com.microsoft');
}

function modelMs(spec, opset = 13) {
  const m = new Pb();
  m.varint(1, 8).len(2, 'wasmq-test').len(7, graph(spec)).len(8, new Pb().len(1, '').varint(2, opset))
    .len(8, new Pb().len(1, 'com.microsoft').varint(2, 1));
  return m.toUint8Array();
}

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const ints = (r, n, lo, hi) => Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));

async function compare(bytes, feeds, step) {
  const { loadModel } = await wasmq();
  const m = await loadModel(bytes);
  const ours = await m.run(feeds);
  m.dispose();
  const ref = await ort.runOrtNode(bytes, feeds);
  for (const [name, t] of Object.entries(ref)) {
    const o = ours[name];
    assert.ok(o, `output ${name} missing`);
    assert.deepEqual(o.dims.map(Number), t.dims.map(Number), `${name} dims`);
    let worst = 0;
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(Number(o.data[i]) - Number(t.data[i])));
    if (process.env.WASMQ_VERBOSE) console.log(name, 'max difference', worst, 'step', step[name]);
    assert.ok(worst <= step[name] * 1.0001, `${name}: max difference ${worst} > one step ${step[name]}`);
  }
}

function convModel() {
  const r = rng(1);
  const C = 3, O = 8, H = 9, W = 7;
  const w1 = ints(r, O * C * 9, -127, 127), w2 = ints(r, O * 9, -127, 127);
  const ws1 = Array.from({ length: O }, () => 0.002 + 0.004 * r());
  const b1 = ints(r, O, -500, 500), b2 = ints(r, O, -300, 300);
  const init = [
    tensor('xs', F32, [], [0.01]), tensor('xz', U8, [], [128]),
    tensor('w1', I8, [O, C, 3, 3], w1), tensor('ws1', F32, [O], ws1), tensor('wz1', I8, [O], new Array(O).fill(0)),
    tensor('y1s', F32, [], [0.02]), tensor('y1z', U8, [], [120]), tensor('b1', I32, [O], b1),
    tensor('w2', I8, [O, 1, 3, 3], w2), tensor('ws2', F32, [], [0.004]), tensor('wz2', I8, [], [0]),
    tensor('y2s', F32, [], [0.03]), tensor('y2z', U8, [], [128]), tensor('b2', I32, [O], b2),
    tensor('as', F32, [], [0.04]), tensor('az', U8, [], [100]),
    tensor('ss', F32, [], [1 / 256]), tensor('sz', U8, [], [0]),
    tensor('gs', F32, [], [0.01]), tensor('gz', U8, [], [110]),
  ];
  const bytes = modelMs({
    nodes: [
      node('QuantizeLinear', ['x', 'xs', 'xz'], ['xq']),
      node('QLinearConv', ['xq', 'xs', 'xz', 'w1', 'ws1', 'wz1', 'y1s', 'y1z', 'b1'], ['c1'], [attrInts('pads', [1, 1, 1, 1])]),
      node('QLinearConv', ['c1', 'y1s', 'y1z', 'w2', 'ws2', 'wz2', 'y2s', 'y2z', 'b2'], ['c2'],
        [attrInt('group', O), attrInts('pads', [1, 1, 1, 1]), attrInts('strides', [1, 1])]),
      msNode('QLinearAdd', ['c1', 'y1s', 'y1z', 'c2', 'y2s', 'y2z', 'as', 'az'], ['a']),
      // Sigmoid reads the conv output (not the add's): a one-code difference in its input would be
      // amplified by the slope (0.25 * 0.04 / (1/256) = 2.6 codes), which is not a sigmoid error.
      msNode('QLinearSigmoid', ['c2', 'y2s', 'y2z', 'ss', 'sz'], ['s']),
      node('DequantizeLinear', ['s', 'ss', 'sz'], ['y']),
      node('DequantizeLinear', ['a', 'as', 'az'], ['y3']),
      msNode('QLinearGlobalAveragePool', ['c1', 'y1s', 'y1z', 'gs', 'gz'], ['g']),
      node('DequantizeLinear', ['g', 'gs', 'gz'], ['y4']),
      msNode('QLinearAveragePool', ['c1', 'y1s', 'y1z', 'gs', 'gz'], ['p'],
        [attrInts('kernel_shape', [3, 3]), attrInts('strides', [2, 2]), attrInts('pads', [1, 1, 1, 1])]),
      node('DequantizeLinear', ['p', 'gs', 'gz'], ['y5']),
      node('DequantizeLinear', ['c2', 'y2s', 'y2z'], ['y2']),
    ],
    inputs: [valueInfo('x', F32, [1, C, H, W])],
    outputs: [valueInfo('y', F32, [1, O, H, W]), valueInfo('y2', F32, [1, O, H, W]), valueInfo('y3', F32, [1, O, H, W]),
      valueInfo('y4', F32, [1, O, 1, 1]), valueInfo('y5', F32, [1, O, 5, 4])],
    initializers: init,
  });
  const x = Float32Array.from({ length: C * H * W }, (_, i) => Math.sin(i * 0.37) * 1.2);
  return { bytes, feeds: { x: { data: x, dims: [1, C, H, W] } } };
}

test('QOperator conv model (QLinearConv, depthwise, QLinearAdd, QLinearSigmoid, QLinear(Global)AveragePool) matches onnxruntime-node', { skip }, async () => {
  const { bytes, feeds } = convModel();
  await compare(bytes, feeds, { y: 1 / 256, y2: 0.03, y3: 0.04, y4: 0.01, y5: 0.01 });
});

function matmulModel() {
  const r = rng(2);
  const M = 5, K = 64, N = 12;
  const b = ints(r, K * N, -127, 127), bu = ints(r, K * N, 0, 255);
  const nb = K / 32, blob = ints(r, N * nb * 16, 0, 255), scales = Array.from({ length: N * nb }, () => 0.01 + 0.02 * r());
  const zp = ints(r, N * Math.ceil(nb / 2), 0, 255);
  const bytes = modelMs({
    nodes: [
      node('QuantizeLinear', ['x', 'xs', 'xz'], ['xq']),
      node('QLinearMatMul', ['xq', 'xs', 'xz', 'b', 'bs', 'bz', 'ys', 'yz'], ['q']),
      node('DequantizeLinear', ['q', 'ys', 'yz'], ['y']),
      node('DynamicQuantizeLinear', ['x'], ['dq', 'dqs', 'dqz']),
      node('MatMulInteger', ['dq', 'bu', 'dqz', 'buz'], ['mi']),
      msNode('QGemm', ['xq', 'xs', 'xz', 'bt', 'bs', 'bz', 'gc', 'ys', 'yz'], ['qg'], [attrInt('transB', 1)]),
      node('DequantizeLinear', ['qg', 'ys', 'yz'], ['y6']),
      msNode('QGemm', ['xq', 'xs', 'xz', 'bt', 'bs', 'bz', 'gc'], ['y7'], [attrInt('transB', 1)]),
      msNode('MatMulNBits', ['x', 'nb', 'nbs', 'nbz'], ['n4'], [attrInt('K', K), attrInt('N', N), attrInt('bits', 4), attrInt('block_size', 32)]),
    ],
    inputs: [valueInfo('x', F32, [M, K])],
    outputs: [valueInfo('y', F32, [M, N]), valueInfo('mi', I32, [M, N]), valueInfo('n4', F32, [M, N]),
      valueInfo('y6', F32, [M, N]), valueInfo('y7', F32, [M, N])],
    initializers: [
      tensor('xs', F32, [], [0.02]), tensor('xz', I8, [], [3]),
      tensor('b', I8, [K, N], b), tensor('bs', F32, [], [0.01]), tensor('bz', I8, [], [0]),
      tensor('ys', F32, [], [0.1]), tensor('yz', I8, [], [-5]),
      tensor('bt', I8, [N, K], b), tensor('gc', I32, [N], ints(r, N, -3000, 3000)),
      tensor('bu', U8, [K, N], bu), tensor('buz', U8, [N], ints(r, N, 0, 255)),
      tensor('nb', U8, [N, nb, 16], blob), tensor('nbs', F32, [N * nb], scales), tensor('nbz', U8, [N * Math.ceil(nb / 2)], zp),
    ],
  });
  const x = Float32Array.from({ length: M * K }, (_, i) => Math.cos(i * 0.11) * 1.5);
  return { bytes, feeds: { x: { data: x, dims: [M, K] } } };
}

test('QLinearMatMul, MatMulInteger with DynamicQuantizeLinear, QGemm and MatMulNBits match onnxruntime-node', { skip }, async () => {
  const { bytes, feeds } = matmulModel();
  // MatMulInteger is exact (step 0); MatMulNBits is float (a small relative tolerance).
  await compare(bytes, feeds, { y: 0.1, mi: 0, n4: 1e-4, y6: 0.1, y7: 1e-5 });
});

test('runs of the quantized models allocate nothing after the first', async () => {
  const { loadModel, mod } = await wasmq();
  for (const { bytes, feeds } of [convModel(), matmulModel()]) {
    const m = await loadModel(bytes);
    const first = await m.run(feeds);
    const heapLen = mod.HEAPU8.length;
    const inUse = mod.modelHeapInUse();
    let last;
    for (let i = 0; i < 300; i++) last = await m.run(feeds);
    assert.equal(mod.modelHeapInUse(), inUse, 'malloc heap in use changed across runs');
    assert.equal(mod.HEAPU8.length, heapLen, 'wasm memory grew across runs');
    for (const k of Object.keys(first)) assert.deepEqual([...last[k].data], [...first[k].data], `${k} changed between runs`);
    m.dispose();
  }
});

test('a QDQ model (DequantizeLinear -> Conv -> QuantizeLinear) matches onnxruntime-node', { skip }, async () => {
  const r = rng(3);
  const bytes = modelMs({
    nodes: [
      node('QuantizeLinear', ['x', 'xs', 'xz'], ['xq']),
      node('DequantizeLinear', ['xq', 'xs', 'xz'], ['xf']),
      node('DequantizeLinear', ['w', 'ws', 'wz'], ['wf'], [attrInt('axis', 0)]),
      node('Conv', ['xf', 'wf'], ['cf'], [attrInts('pads', [1, 1, 1, 1]), attrInts('strides', [2, 2])]),
      node('QuantizeLinear', ['cf', 'ys', 'yz'], ['cq']),
      node('DequantizeLinear', ['cq', 'ys', 'yz'], ['y']),
    ],
    inputs: [valueInfo('x', F32, [1, 4, 10, 10])],
    outputs: [valueInfo('y', F32, [1, 6, 5, 5])],
    initializers: [
      tensor('xs', F32, [], [0.01]), tensor('xz', U8, [], [128]),
      tensor('w', I8, [6, 4, 3, 3], ints(r, 216, -127, 127)), tensor('ws', F32, [6], [0.003, 0.004, 0.002, 0.005, 0.001, 0.003]),
      tensor('wz', I8, [6], [0, 0, 0, 0, 0, 0]), tensor('ys', F32, [], [0.05]), tensor('yz', U8, [], [128]),
    ],
  });
  const x = Float32Array.from({ length: 400 }, (_, i) => Math.sin(i * 0.21));
  await compare(bytes, { x: { data: x, dims: [1, 4, 10, 10] } }, { y: 0.05 });
});

test('the SIMD and scalar builds give identical quantized outputs', async () => {
  const scalar = await init({ simd: false });
  const { loadModel } = await wasmq();
  for (const { bytes, feeds } of [convModel(), matmulModel()]) {
    const a = await loadModel(bytes);
    const b = await loadModelOn(scalar._m, bytes);
    const ya = await a.run(feeds), yb = await b.run(feeds);
    // Every kernel is bit-exact to its scalar reference (MatMulNBits too: one float summation order).
    for (const k of Object.keys(ya)) {
      assert.deepEqual([...ya[k].data], [...yb[k].data], `${k}: SIMD and scalar differ`);
    }
    a.dispose();
    b.dispose();
  }
});

// A16W8: QLinearConv chains with INT16 activations (int16 in, int16 between, int8 out; a depthwise
// layer), fed and read as Int16Array / Int8Array through the JS API, SIMD equal to scalar.
function int16ConvModel() {
  const c = 16, k = 3;
  const w = (o, cg, kk, seed) => tensor(`w${seed}`, I8, [o, cg, kk, kk], Array.from({ length: o * cg * kk * kk }, (_, i) => ((i * 37 + seed * 11) % 255) - 127));
  const inits = [
    tensor('s16', F32, [], [1e-3]), tensor('z16', I16, [], [0]), tensor('s8', F32, [], [0.5]), tensor('z8', I8, [], [3]),
    w(c, c, 1, 1), tensor('ws1', F32, [c], Array.from({ length: c }, (_, i) => 2e-4 * (i + 1))), tensor('wz1', I8, [c], new Array(c).fill(0)),
    tensor('b1', I32, [c], Array.from({ length: c }, (_, i) => 20000 * i - 150000)),
    w(c, 1, k, 2), tensor('ws2', F32, [c], Array.from({ length: c }, (_, i) => 1e-3 * (i + 1))), tensor('wz2', I8, [c], new Array(c).fill(0)),
  ];
  const nodes = [
    node('QLinearConv', ['x', 's16', 'z16', 'w1', 'ws1', 'wz1', 's16', 'z16', 'b1'], ['h'], [attrInts('kernel_shape', [1, 1]), attrInt('wasmq_qmin', 0)]),
    node('QLinearConv', ['h', 's16', 'z16', 'w2', 'ws2', 'wz2', 's8', 'z8'], ['y'],
      [attrInts('kernel_shape', [k, k]), attrInts('pads', [1, 1, 1, 1]), attrInt('group', c)]),
  ];
  const dims = [1, c, 6, 7];
  const n = dims.reduce((a, b) => a * b, 1);
  const x = new Int16Array(n).map((_, i) => ((i * 7919) % 65536) - 32768);
  return { bytes: modelMs({ nodes, inputs: [valueInfo('x', I16, dims)], outputs: [valueInfo('y', I8, dims)], initializers: inits }), feeds: { x: { data: x, dims } } };
}

test('int16 activations (A16W8 QLinearConv chain) run from JS with Int16Array inputs; SIMD equals scalar', async () => {
  const scalar = await init({ simd: false });
  const { loadModel } = await wasmq();
  const { bytes, feeds } = int16ConvModel();
  const a = await loadModel(bytes);
  const b = await loadModelOn(scalar._m, bytes);
  assert.equal(a.inputs[0].dtype, 'int16');
  const ya = (await a.run(feeds)).y, yb = (await b.run(feeds)).y;
  assert.equal(ya.dtype, 'int8');
  assert.ok(ya.data instanceof Int8Array);
  assert.deepEqual([...ya.data], [...yb.data], 'SIMD and scalar differ');
  const distinct = new Set(ya.data).size;
  assert.ok(distinct > 20, `the output uses ${distinct} codes`);
  // A wrong input type is an Error that says so, and the module keeps working.
  await assert.rejects(a.run({ x: { data: new Int8Array(feeds.x.data.length), dims: feeds.x.dims } }), /int16|Int16Array|dtype/i);
  assert.deepEqual([...(await a.run(feeds)).y.data], [...ya.data]);
  a.dispose();
  b.dispose();
});
