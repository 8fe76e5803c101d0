// Seed models for the loader fuzzer that reach the int16 (A16W8) paths: QLinearConv with INT16 x
// and/or y (1x1, 3x3 im2col, depthwise, the wasmq_qmin clamp), QLinearAdd/Mul with an INT16 output
// (and a chain the Lut pass fuses into an INT16 table), INT16 Quantize/DequantizeLinear.
// node fuzz/int16-seeds.mjs <dir>   (scripts/fuzz.sh adds them to a new corpus)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { F32, I8, I16, I32, attrInt, attrInts, model, node, tensor, valueInfo } from '../tests/js/onnx-builder.mjs';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node fuzz/int16-seeds.mjs <dir>');

const ms = (n) => n.len(7, 'com.microsoft');
const conv = (name, { x16, y16, c = 4, o = 4, k = 1, group = 1, clamp = false }) => {
  const cg = c / group;
  const inits = [tensor('xs', F32, [], [0.01]), tensor('xz', x16 ? I16 : I8, [], [0]),
    tensor('w', I8, [o, cg, k, k], Array.from({ length: o * cg * k * k }, (_, i) => ((i * 37) % 255) - 127)),
    tensor('ws', F32, [o], Array.from({ length: o }, (_, i) => 0.002 * (i + 1))), tensor('wz', I8, [o], new Array(o).fill(0)),
    tensor('ys', F32, [], [y16 ? 1e-3 : 0.2]), tensor('yz', y16 ? I16 : I8, [], [0]),
    tensor('b', I32, [o], Array.from({ length: o }, (_, i) => 1000 * i - 1500))];
  const attrs = [attrInts('kernel_shape', [k, k]), attrInts('pads', new Array(4).fill(k >> 1)), attrInt('group', group)];
  if (clamp) attrs.push(attrInt('wasmq_qmin', 0));
  return [name, model({
    nodes: [node('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], ['y'], attrs)],
    inputs: [valueInfo('x', x16 ? I16 : I8, [1, c, 5, 5])], outputs: [valueInfo('y', y16 ? I16 : I8, [1, o, 5, 5])],
    initializers: inits,
  })];
};

const seeds = [
  conv('int16-conv1x1.onnx', { x16: true, y16: true }),
  conv('int16-conv3x3-to-int8.onnx', { x16: true, y16: false, k: 3 }),
  conv('int16-dwconv3x3.onnx', { x16: true, y16: true, k: 3, group: 4 }),
  conv('int8-to-int16-conv-relu.onnx', { x16: false, y16: true, clamp: true }),
  ['int16-add-mul-chain.onnx', model({
    nodes: [ms(node('QLinearAdd', ['x', 'sx', 'zx', 'c3', 's3', 'z0', 'sc', 'zc'], ['c'])),
      ms(node('QLinearMul', ['x', 'sx', 'zx', 'c', 'sc', 'zc', 'sy', 'zy'], ['y']))],
    inputs: [valueInfo('x', I8, [1, 4, 3, 3])], outputs: [valueInfo('y', I16, [1, 4, 3, 3])],
    initializers: [tensor('sx', F32, [], [0.04]), tensor('zx', I8, [], [-10]), tensor('c3', I8, [], [127]),
      tensor('s3', F32, [], [3 / 127]), tensor('z0', I8, [], [0]), tensor('sc', F32, [], [6 / 255]),
      tensor('zc', I8, [], [-128]), tensor('sy', F32, [], [6e-4]), tensor('zy', I16, [], [0])],
  })],
  ['int16-qdq.onnx', model({
    nodes: [ms(node('QuantizeLinear', ['x', 's', 'z'], ['q'])), ms(node('DequantizeLinear', ['q', 's', 'z'], ['y']))],
    inputs: [valueInfo('x', F32, [2, 3])], outputs: [valueInfo('y', F32, [2, 3])],
    initializers: [tensor('s', F32, [], [1e-3]), tensor('z', I16, [], [-3])],
  })],
];
for (const [name, bytes] of seeds) writeFileSync(path.join(dir, name), bytes);
console.log(`${seeds.length} int16 seeds in ${dir}`);
