// JS model API: loadModel, inputs/outputs descriptions, run with dynamic batch, int64 outputs,
// feed errors that name the input, dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { F32, I64, attrInt, model, node, tensor, valueInfo } from './onnx-builder.mjs';
import { wasmq } from './model-helpers.mjs';

// x[N,1,2,2] -> Conv 1x1 (w=2, b=1) -> Relu -> GlobalAveragePool -> y[N,1,1,1]; s = Shape(x)
function convModel() {
  return model({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c']),
      node('Relu', ['c'], ['r']),
      node('GlobalAveragePool', ['r'], ['y']),
      node('Shape', ['x'], ['s']),
    ],
    inputs: [valueInfo('x', F32, ['N', 1, 2, 2])],
    outputs: [valueInfo('y', F32, ['N', 1, 1, 1]), valueInfo('s', I64, [4])],
    initializers: [tensor('w', F32, [1, 1, 1, 1], [2]), tensor('b', F32, [1], [1])],
  });
}

test('loadModel describes inputs and outputs, dynamic dims as null', async () => {
  const { loadModel } = await wasmq();
  const m = await loadModel(convModel());
  try {
    assert.deepEqual(m.inputs, [{ name: 'x', dtype: 'float32', dims: [null, 1, 2, 2] }]);
    assert.deepEqual(m.outputs, [
      { name: 'y', dtype: 'float32', dims: [null, 1, 1, 1] },
      { name: 's', dtype: 'int64', dims: [4] },
    ]);
  } finally {
    m.dispose();
  }
});

test('run computes the graph for several batch sizes', async () => {
  const { loadModel } = await wasmq();
  const m = await loadModel(convModel());
  try {
    let out = await m.run({ x: { data: Float32Array.from([1, -3, 0, 2]), dims: [1, 1, 2, 2] } });
    // relu(2x+1): 3, 0, 1, 5 -> mean 2.25
    assert.deepEqual(out.y.dims, [1, 1, 1, 1]);
    assert.equal(out.y.dtype, 'float32');
    assert.ok(out.y.data instanceof Float32Array);
    assert.equal(out.y.data[0], 2.25);
    assert.deepEqual([...out.s.data], [1n, 1n, 2n, 2n]);
    out = await m.run({ x: { data: Float32Array.from([1, 1, 1, 1, -1, -1, -1, -1, 0, 0, 0, 4]), dims: [3, 1, 2, 2] } });
    assert.deepEqual([...out.y.data], [3, 0, 3]);
    assert.deepEqual([...out.s.data], [3n, 1n, 2n, 2n]);
  } finally {
    m.dispose();
  }
});

test('bad feeds throw Errors that name the input', async () => {
  const { loadModel } = await wasmq();
  const m = await loadModel(convModel());
  const x = { data: new Float32Array(4), dims: [1, 1, 2, 2] };
  try {
    await assert.rejects(m.run({}), /input 'x' is missing/);
    await assert.rejects(m.run({ x, z: x }), /unknown input 'z'/);
    await assert.rejects(m.run({ x: { data: new Int32Array(4), dims: [1, 1, 2, 2] } }), /input 'x'.*Float32Array.*Int32Array/);
    await assert.rejects(m.run({ x: { data: new Float32Array(5), dims: [1, 1, 2, 2] } }), /input 'x'.*5 elements.*need 4/);
    await assert.rejects(m.run({ x: { data: new Float32Array(4), dims: [1, 4] } }), /input 'x'.*expected rank 4/);
    await assert.rejects(m.run({ x: { data: new Float32Array(8), dims: [1, 2, 2, 2] } }), /input 'x'.*dims\[1\] must be 1/);
    await assert.rejects(m.run({ x: { data: new Float32Array(4), dims: [1, 1, 2, 2.5] } }), /input 'x'.*dims\[3\]/);
    await assert.rejects(m.run(null), /feeds must be an object/);
    const out = await m.run({ x });  // still usable
    assert.equal(out.y.data[0], 1);
  } finally {
    m.dispose();
  }
  await assert.rejects(m.run({ x }), /disposed/);
  m.dispose();  // twice is fine
});

test('loadModel rejects bad arguments and malformed models with an Error', async () => {
  const { loadModel } = await wasmq();
  await assert.rejects(loadModel('model.onnx'), /Uint8Array/);
  await assert.rejects(loadModel(new Uint8Array([1, 2, 3])), (e) => e instanceof Error && /^loadModel: malformed ONNX/.test(e.message));
});

test('int64 inputs drive shape arguments (Reshape, Slice) and the plan follows them', async () => {
  const { loadModel } = await wasmq();
  const m = await loadModel(model({
    nodes: [node('Reshape', ['x', 'shape'], ['r']), node('Slice', ['r', 'st', 'en', 'ax'], ['y'])],
    inputs: [valueInfo('x', F32, [6]), valueInfo('shape', I64, [2])],
    outputs: [valueInfo('y', F32, ['a', 'b'])],
    initializers: [tensor('st', I64, [1], [1]), tensor('en', I64, [1], [100]), tensor('ax', I64, [1], [0])],
  }));
  try {
    const x = Float32Array.from([0, 1, 2, 3, 4, 5]);
    let out = await m.run({ x: { data: x, dims: [6] }, shape: { data: BigInt64Array.from([2n, -1n]), dims: [2] } });
    assert.deepEqual(out.y.dims, [1, 3]);
    assert.deepEqual([...out.y.data], [3, 4, 5]);
    out = await m.run({ x: { data: x, dims: [6] }, shape: { data: BigInt64Array.from([3n, 2n]), dims: [2] } });
    assert.deepEqual(out.y.dims, [2, 2]);
    assert.deepEqual([...out.y.data], [2, 3, 4, 5]);
    await assert.rejects(m.run({ x: { data: x, dims: [6] }, shape: { data: BigInt64Array.from([4n, -1n]), dims: [2] } }), /cannot reshape/);
  } finally {
    m.dispose();
  }
});

test('Gemm with transB and a bias, through the JS API', async () => {
  const { loadModel } = await wasmq();
  const m = await loadModel(model({
    nodes: [node('Gemm', ['a', 'b', 'c'], ['y'], [attrInt('transB', 1)])],
    inputs: [valueInfo('a', F32, [1, 2])],
    outputs: [valueInfo('y', F32, [1, 3])],
    initializers: [tensor('b', F32, [3, 2], [1, 0, 0, 1, 1, 1]), tensor('c', F32, [3], [10, 20, 30])],
  }));
  try {
    const out = await m.run({ a: { data: Float32Array.from([2, 5]), dims: [1, 2] } });
    assert.deepEqual([...out.y.data], [12, 25, 37]);
  } finally {
    m.dispose();
  }
});

test('weights are held once in wasm memory', async () => {
  const { loadModel, mod } = await wasmq();
  const n = 1 << 20;  // 4 MiB of float weights
  const bytes = model({
    nodes: [node('Add', ['x', 'w'], ['y'])],
    inputs: [valueInfo('x', F32, [n])],
    outputs: [valueInfo('y', F32, [n])],
    initializers: [tensor('w', F32, [n], new Float32Array(n).fill(0.5))],
  });
  const before = mod.modelHeapInUse();
  const m = await loadModel(bytes);
  try {
    const grown = mod.modelHeapInUse() - before;
    assert.ok(grown >= 4 * n && grown < 4 * n * 1.25, `heap grew by ${grown} bytes for ${4 * n} bytes of weights`);
  } finally {
    m.dispose();
  }
  assert.ok(mod.modelHeapInUse() - before < 4096, 'dispose frees the weights');
});
