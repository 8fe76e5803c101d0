// Times QLinearConv (int8 kernels, NCHW<->NHWC transposes included) against the float Conv
// reference op on MobileNet-like layers, through loadModel/run: node bench/quant-ops.mjs [--simd=0]
import { F32, I32, I8, U8, attrInt, attrInts, model, node, tensor, valueInfo } from '../tests/js/onnx-builder.mjs';
import { init } from '../dist/node.mjs';
import { loadModel } from '../bindings/js/model.mjs';

const simd = !process.argv.includes('--simd=0');
const wq = await init({ simd });
const load = (b) => (typeof wq.loadModel === 'function' ? wq.loadModel(b) : loadModel(wq._m, b));

const LAYERS = [
  { name: 'pointwise 1x1 32->64, 56x56', c: 32, o: 64, h: 56, k: 1, group: 1, pad: 0 },
  { name: 'depthwise 3x3 64ch, 56x56', c: 64, o: 64, h: 56, k: 3, group: 64, pad: 1 },
  { name: 'conv 3x3 16->32, 28x28', c: 16, o: 32, h: 28, k: 3, group: 1, pad: 1 },
];

async function time(m, feeds, minMs = 400) {
  for (let i = 0; i < 3; i++) await m.run(feeds);
  const t = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || t.length < 5) {
    const s = performance.now();
    await m.run(feeds);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

console.log(`wasm ${wq.simd ? 'SIMD' : 'scalar'} build; median ms per run`);
for (const L of LAYERS) {
  const cg = L.c / L.group, wn = L.o * cg * L.k * L.k;
  const attrs = [attrInt('group', L.group), attrInts('pads', [L.pad, L.pad, L.pad, L.pad]), attrInts('kernel_shape', [L.k, L.k])];
  const xd = [1, L.c, L.h, L.h], yd = [1, L.o, L.h, L.h];
  const wq8 = Array.from({ length: wn }, (_, i) => ((i * 37) % 255) - 127);
  const qm = model({
    nodes: [node('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], ['y'], attrs)],
    inputs: [valueInfo('x', U8, xd)], outputs: [valueInfo('y', U8, yd)],
    initializers: [tensor('xs', F32, [], [0.02]), tensor('xz', U8, [], [128]), tensor('w', I8, [L.o, cg, L.k, L.k], wq8),
      tensor('ws', F32, [L.o], new Array(L.o).fill(0.003)), tensor('wz', I8, [L.o], new Array(L.o).fill(0)),
      tensor('ys', F32, [], [0.05]), tensor('yz', U8, [], [128]), tensor('b', I32, [L.o], new Array(L.o).fill(7))],
  });
  const fm = model({
    nodes: [node('Conv', ['x', 'w', 'b'], ['y'], attrs)],
    inputs: [valueInfo('x', F32, xd)], outputs: [valueInfo('y', F32, yd)],
    initializers: [tensor('w', F32, [L.o, cg, L.k, L.k], wq8.map((v) => v * 0.003)), tensor('b', F32, [L.o], new Array(L.o).fill(0.01))],
  });
  const n = L.c * L.h * L.h;
  const q = await load(qm), f = await load(fm);
  const tq = await time(q, { x: { data: Uint8Array.from({ length: n }, (_, i) => (i * 13) & 255), dims: xd } });
  const tf = await time(f, { x: { data: Float32Array.from({ length: n }, (_, i) => Math.sin(i)), dims: xd } });
  // What one NCHW->NHWC transpose of the int8 input costs (the reference Transpose op, a plain loop
  // like the op's own transposes): QLinearConv does one on the input and one on the output.
  const tm = await load(model({ nodes: [node('Transpose', ['x'], ['y'], [attrInts('perm', [0, 2, 3, 1])])],
    inputs: [valueInfo('x', U8, xd)], outputs: [valueInfo('y', U8, [1, L.h, L.h, L.c])] }));
  const tt = await time(tm, { x: { data: new Uint8Array(n), dims: xd } });
  tm.dispose();
  const macs = L.o * cg * L.k * L.k * L.h * L.h;
  console.log(`${L.name.padEnd(32)} QLinearConv ${tq.toFixed(3)} ms (${(2 * macs / tq / 1e6).toFixed(1)} GOPS)  ` +
    `float Conv ref ${tf.toFixed(3)} ms  ratio ${(tf / tq).toFixed(1)}x  ` +
    `(int8 transpose of the input alone ${tt.toFixed(3)} ms)`);
  q.dispose();
  f.dispose();
}
