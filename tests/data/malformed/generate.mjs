// Generates the malformed-model corpus (tests/data/malformed/*.onnx) at test time: each case is
// a file plus the phase that must fail ('load' or 'run') and a pattern the Error must match.
// Run directly (`node tests/data/malformed/generate.mjs`) to write the files for inspection.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Pb, F32, I64, attrInt, attrInts, attrString, model, node, tensor, valueInfo,
} from '../../js/onnx-builder.mjs';

const x2 = valueInfo('x', F32, [2]);
const y2 = valueInfo('y', F32, [2]);

function valid() {
  return model({ nodes: [node('Relu', ['x'], ['y'])], inputs: [x2], outputs: [y2] });
}

function withInit(t) {
  return model({ nodes: [node('Add', ['x', 'w'], ['y'])], inputs: [x2], outputs: [y2], initializers: [t] });
}

function rawTensor(fields) {
  const t = new Pb();
  fields(t);
  return t;
}

/** [{ name, bytes, phase, expect, feeds? }] */
export function malformedCases() {
  const good = valid();
  return [
    { name: 'empty', bytes: new Uint8Array(0), phase: 'load', expect: /empty/ },
    { name: 'truncated-half', bytes: good.slice(0, Math.floor(good.length / 2)), phase: 'load', expect: /past the end|truncated/ },
    { name: 'truncated-varint', bytes: Uint8Array.from([0x08, 0x80]), phase: 'load', expect: /varint is truncated/ },
    { name: 'varint-overflow', bytes: Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), phase: 'load', expect: /varint/ },
    { name: 'wrong-wire-type-graph', bytes: new Pb().varint(7, 5).toUint8Array(), phase: 'load', expect: /graph.*wire type|wire type/ },
    { name: 'group-wire-type', bytes: Uint8Array.from([0x0b, 0x0c]), phase: 'load', expect: /group/ },
    { name: 'invalid-wire-type', bytes: Uint8Array.from([0x0e, 0x00]), phase: 'load', expect: /invalid wire type/ },
    { name: 'length-past-end', bytes: Uint8Array.from([0x3a, 0xff, 0xff, 0x03, 0x00]), phase: 'load', expect: /past the end/ },
    { name: 'not-onnx', bytes: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), phase: 'load', expect: /malformed ONNX|no graph/ },
    { name: 'no-graph', bytes: new Pb().varint(1, 8).toUint8Array(), phase: 'load', expect: /no graph/ },
    {
      name: 'negative-dim', phase: 'load', expect: /'w'.*negative/,
      bytes: withInit(rawTensor((t) => t.varint(1, -3).varint(2, F32).len(8, 'w').len(9, []))),
    },
    {
      name: 'huge-dims', phase: 'load', expect: /'w'.*allocation cap/,
      bytes: withInit(rawTensor((t) => t.varint(1, 2 ** 40).varint(1, 2 ** 40).varint(2, F32).len(8, 'w'))),
    },
    {
      name: 'raw-data-size-mismatch', phase: 'load', expect: /'w'.*raw_data has 4 bytes.*need 8/,
      bytes: withInit(rawTensor((t) => t.varint(1, 2).varint(2, F32).len(8, 'w').len(9, [0, 0, 128, 63]))),
    },
    {
      name: 'typed-data-count-mismatch', phase: 'load', expect: /'w'.*int64_data has 3 values/,
      bytes: withInit(rawTensor((t) => t.varint(1, 2).varint(2, I64).len(8, 'w').packed(7, [1, 2, 3]))),
    },
    {
      name: 'unknown-dtype', phase: 'load', expect: /'w'.*data type/,
      bytes: withInit(rawTensor((t) => t.varint(1, 2).varint(2, 999).len(8, 'w'))),
    },
    {
      name: 'external-data', phase: 'load', expect: /external data.*not supported/,
      bytes: withInit(rawTensor((t) => t.varint(1, 2).varint(2, F32).len(8, 'w').varint(14, 1))),
    },
    {
      name: 'wrong-dtype-input', phase: 'load', expect: /graph input 'x'.*BFLOAT16/,
      bytes: model({ nodes: [node('Relu', ['x'], ['y'])], inputs: [valueInfo('x', 16, [2])], outputs: [y2] }),
    },
    {
      name: 'missing-input', phase: 'load', expect: /Relu_y.*'nope'/,
      bytes: model({ nodes: [node('Relu', ['nope'], ['y'])], inputs: [x2], outputs: [y2] }),
    },
    {
      name: 'cycle', phase: 'load', expect: /cycle.*'n[12]'/,
      bytes: model({
        nodes: [node('Add', ['x', 'b'], ['a'], [], 'n1'), node('Relu', ['a'], ['b'], [], 'n2'), node('Relu', ['a'], ['y'], [], 'n3')],
        inputs: [x2], outputs: [y2],
      }),
    },
    {
      name: 'unsupported-op', phase: 'load', expect: /'frob'.*Frobnicate.*opset 13/,
      bytes: model({ nodes: [node('Frobnicate', ['x'], ['y'], [], 'frob')], inputs: [x2], outputs: [y2] }),
    },
    {
      name: 'unsupported-attribute', phase: 'load', expect: /'pool'.*auto_pad 'MIDDLE'/,
      bytes: model({
        nodes: [node('MaxPool', ['x'], ['y'], [attrInts('kernel_shape', [2, 2]), attrString('auto_pad', 'MIDDLE')], 'pool')],
        inputs: [valueInfo('x', F32, [1, 1, 4, 4])], outputs: [valueInfo('y', F32, [1, 1, 2, 2])],
      }),
    },
    {
      name: 'opset-too-new', phase: 'load', expect: /opset 99/,
      bytes: model({ nodes: [node('Relu', ['x'], ['y'])], inputs: [x2], outputs: [y2] }, 99),
    },
    {
      name: 'oversized-activation', phase: 'run', expect: /'big'.*allocation cap/,
      bytes: model({
        nodes: [node('Expand', ['x', 'shape'], ['y'], [], 'big')],
        inputs: [valueInfo('x', F32, [1])], outputs: [valueInfo('y', F32, [100000, 100000, 100])],
        initializers: [tensor('shape', I64, [3], [100000, 100000, 100])],
      }),
      feeds: { x: { data: new Float32Array(1), dims: [1] } },
    },
    {
      name: 'reshape-mismatch', phase: 'run', expect: /'rs'.*cannot reshape/,
      bytes: model({
        nodes: [node('Reshape', ['x', 'shape'], ['y'], [], 'rs')],
        inputs: [x2], outputs: [valueInfo('y', F32, [3])],
        initializers: [tensor('shape', I64, [1], [3])],
      }),
      feeds: { x: { data: new Float32Array(2), dims: [2] } },
    },
    {
      name: 'conv-weight-mismatch', phase: 'run', expect: /'conv'.*channels/,
      bytes: model({
        nodes: [node('Conv', ['x', 'w'], ['y'], [attrInt('group', 1)], 'conv')],
        inputs: [valueInfo('x', F32, [1, 2, 3, 3])], outputs: [valueInfo('y', F32, [1, 1, 3, 3])],
        initializers: [tensor('w', F32, [1, 3, 1, 1], [1, 1, 1])],
      }),
      feeds: { x: { data: new Float32Array(18), dims: [1, 2, 3, 3] } },
    },
  ];
}

/** Writes every case to `dir` (default: this folder) and returns the cases with their paths. */
export function generateMalformed(dir = dirname(fileURLToPath(import.meta.url))) {
  mkdirSync(dir, { recursive: true });
  return malformedCases().map((c) => {
    const path = join(dir, `${c.name}.onnx`);
    writeFileSync(path, c.bytes);
    return { ...c, path };
  });
}

export { valid as validModelBytes };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const c of generateMalformed()) console.log(c.path);
}
