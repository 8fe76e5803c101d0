// Malformed-model corpus (generated into tests/data/malformed/ at test time): every file gives a
// clear Error, none aborts the module, and a valid model still loads and runs afterwards. Also:
// 10 000 runs leave the wasm heap flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { generateMalformed, validModelBytes } from '../data/malformed/generate.mjs';
import { F32, model, node, tensor, valueInfo } from './onnx-builder.mjs';
import { wasmq } from './model-helpers.mjs';

test('every malformed model gives a clear Error and the module keeps working', async () => {
  const { loadModel, mod } = await wasmq();
  const cases = generateMalformed();
  assert.ok(cases.length >= 20);
  const warm = await loadModel(validModelBytes());  // one-time allocations (op registry) happen here
  warm.dispose();
  const heapBefore = mod.modelHeapInUse();
  for (const c of cases) {
    const bytes = new Uint8Array(readFileSync(c.path));
    if (c.phase === 'load') {
      await assert.rejects(loadModel(bytes), (e) => {
        assert.ok(e instanceof Error, `${c.name}: not an Error: ${e}`);
        assert.match(e.message, c.expect, `${c.name}: message '${e.message}'`);
        return true;
      }, c.name);
    } else {
      const m = await loadModel(bytes);
      try {
        await assert.rejects(m.run(c.feeds), (e) => {
          assert.ok(e instanceof Error);
          assert.match(e.message, c.expect, `${c.name}: message '${e.message}'`);
          return true;
        }, c.name);
      } finally {
        m.dispose();
      }
    }
  }
  // Failed loads free what they allocated.
  assert.equal(mod.modelHeapInUse(), heapBefore, 'wasm heap in use changed across failed loads');
  const m = await loadModel(validModelBytes());
  const out = await m.run({ x: { data: Float32Array.from([-1, 2]), dims: [2] } });
  assert.deepEqual([...out.y.data], [0, 2]);
  m.dispose();
});

test('10 000 runs of a small model leave wasm memory flat', async () => {
  const { loadModel, mod } = await wasmq();
  const m = await loadModel(model({
    nodes: [node('MatMul', ['x', 'w'], ['h']), node('Add', ['h', 'b'], ['a']), node('Relu', ['a'], ['r']),
      node('Softmax', ['r'], ['y'])],
    inputs: [valueInfo('x', F32, ['N', 8])],
    outputs: [valueInfo('y', F32, ['N', 4])],
    initializers: [tensor('w', F32, [8, 4], Array.from({ length: 32 }, (_, i) => (i % 7) / 7 - 0.4)),
      tensor('b', F32, [4], [0.1, -0.1, 0.2, 0])],
  }));
  try {
    const x = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
    const feeds = { x: { data: x, dims: [2, 8] } };
    const first = await m.run(feeds);
    const heapLen = mod.HEAPU8.length;
    const inUse = mod.modelHeapInUse();
    let last;
    for (let i = 0; i < 10000; i++) last = m.runSync(feeds);
    assert.equal(mod.HEAPU8.length, heapLen, 'wasm memory grew');
    assert.equal(mod.modelHeapInUse(), inUse, 'malloc heap in use changed');
    assert.deepEqual([...last.y.data], [...first.y.data]);
  } finally {
    m.dispose();
  }
});
