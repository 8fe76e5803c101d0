#!/usr/bin/env node
// ONNX node conformance of the wasm runtime: runs Debian libonnx-testdata's node tests whose op
// types wasmq implements, compares with ONNX's backend-test tolerances (rtol 1e-3, atol 1e-7),
// and prints {"supported": N, "passed": P, "failed": [names]} as the last line.
// Usage: node scripts/conformance.mjs [--json] [--filter regex] [--quick] [--dir path]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { init } from '../dist/node.mjs';
import { decodeTensorProto, loadModel, modelOpTypes, supportedOps } from '../bindings/js/model.mjs';

export const NODE_DIR = '/usr/share/libonnx-testdata/data/node';
export const RTOL = 1e-3;
export const ATOL = 1e-7;

/** Tests that fail by design, with the reason (kept in sync with docs/runtime.md). */
export const KNOWN_FAILURES = Object.freeze({
  test_training_dropout: 'Dropout with training_mode=true is random: inference only',
  test_training_dropout_default: 'Dropout with training_mode=true is random: inference only',
  test_training_dropout_default_mask: 'Dropout with training_mode=true is random: inference only',
  test_training_dropout_mask: 'Dropout with training_mode=true is random: inference only',
  test_training_dropout_zero_ratio: 'Dropout with training_mode=true: inference only',
  test_training_dropout_zero_ratio_mask: 'Dropout with training_mode=true: inference only',
  test_cast_BFLOAT16_to_FLOAT: 'BFLOAT16 tensors are not supported',
  test_cast_FLOAT_to_BFLOAT16: 'BFLOAT16 tensors are not supported',
  test_castlike_BFLOAT16_to_FLOAT_expanded: 'BFLOAT16 tensors are not supported',
  test_castlike_FLOAT_to_BFLOAT16_expanded: 'BFLOAT16 tensors are not supported',
  test_cast_FLOAT_to_STRING: 'STRING tensors are not supported',
  test_cast_STRING_to_FLOAT: 'STRING tensors are not supported',
  test_castlike_FLOAT_to_STRING_expanded: 'STRING tensors are not supported',
  test_castlike_STRING_to_FLOAT_expanded: 'STRING tensors are not supported',
  test_pow_types_float32_uint32: 'UINT32 tensors are not supported',
  test_pow_types_float32_uint64: 'UINT64 tensors are not supported',
});

/** A fast subset covering the most common ops (used by --quick and tests/js/conformance.test.mjs). */
export const QUICK = Object.freeze([
  'test_conv_with_strides_padding', 'test_conv_with_autopad_same', 'test_convtranspose', 'test_relu', 'test_leakyrelu',
  'test_add_bcast', 'test_mul_bcast', 'test_gemm_default_no_bias', 'test_gemm_all_attributes', 'test_matmul_4d',
  'test_reshape_negative_dim', 'test_reshape_zero_dim', 'test_maxpool_2d_pads', 'test_maxpool_2d_ceil',
  'test_averagepool_2d_pads_count_include_pad', 'test_batchnorm_example', 'test_softmax_axis_0', 'test_softmax_default_axis',
  'test_globalaveragepool', 'test_transpose_default', 'test_concat_3d_axis_1', 'test_slice_neg_steps', 'test_gather_1',
  'test_unsqueeze_axis_1', 'test_squeeze', 'test_flatten_axis2', 'test_clip', 'test_hardswish', 'test_sigmoid',
  'test_resize_upsample_scales_nearest', 'test_resize_downsample_scales_linear', 'test_constant_pad', 'test_reflect_pad', 'test_edge_pad', 'test_split_equal_parts_1d',
  'test_reduce_mean_default_axes_keepdims_example', 'test_layer_normalization_2d_axis0', 'test_cast_FLOAT_to_FLOAT16',
  'test_erf', 'test_shape',
]);

function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Empty string when `got` matches `ref` (numpy assert_allclose semantics), else the reason. */
export function compareTensor(got, ref, what) {
  if (got.dtype !== ref.dtype) return `${what}: dtype ${got.dtype}, expected ${ref.dtype}`;
  if (got.dims.length !== ref.dims.length || got.dims.some((d, i) => d !== ref.dims[i])) {
    return `${what}: dims [${got.dims}], expected [${ref.dims}]`;
  }
  const toNum = got.dtype === 'float16' ? halfToFloat : (v) => v;
  for (let i = 0; i < ref.data.length; i++) {
    const a = got.data[i];
    const b = ref.data[i];
    if (typeof a === 'bigint' || got.dtype === 'bool' || got.dtype.startsWith('int') || got.dtype === 'uint8') {
      if (a !== b) return `${what}[${i}] = ${a}, expected ${b}`;
      continue;
    }
    const x = toNum(a);
    const y = toNum(b);
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= ATOL + RTOL * Math.abs(y))) return `${what}[${i}] = ${x}, expected ${y}`;
  }
  return '';
}

/** Whether all of a model's ops are implemented (by op type, default domain). */
export function isSupported(mod, bytes, ops) {
  let nodes;
  try {
    nodes = modelOpTypes(mod, bytes);
  } catch {
    return false;
  }
  return nodes.length > 0 && nodes.every((n) => (n.domain === '' || n.domain === 'ai.onnx') && ops.has(n.opType));
}

/** Runs one test directory; resolves to '' on success or the failure reason. */
export async function runNodeTest(mod, dir) {
  let model;
  try {
    model = await loadModel(mod, readFileSync(join(dir, 'model.onnx')));
  } catch (e) {
    return e.message;
  }
  try {
    const sets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort();
    if (sets.length === 0) return 'no test data';
    for (const set of sets) {
      const sd = join(dir, set);
      const feeds = {};
      model.inputs.forEach((input, i) => {
        const t = decodeTensorProto(mod, readFileSync(join(sd, `input_${i}.pb`)));
        feeds[input.name] = { data: t.data, dims: t.dims };
      });
      const out = await model.run(feeds);
      for (let i = 0; i < model.outputs.length; i++) {
        const file = join(sd, `output_${i}.pb`);
        if (!existsSync(file)) return `${set}: missing output_${i}.pb`;
        const ref = decodeTensorProto(mod, readFileSync(file));
        const name = model.outputs[i].name;
        const r = compareTensor(out[name], ref, `${set} output '${name}'`);
        if (r) return r;
      }
    }
    return '';
  } catch (e) {
    return e.message;
  } finally {
    model.dispose();
  }
}

/** Runs the suite; returns { supported, passed, failed, reasons }. */
export async function runConformance({ filter = null, quick = false, dir = NODE_DIR, mod = null } = {}) {
  mod ??= (await init())._m;
  const ops = new Set(supportedOps(mod));
  let names = readdirSync(dir).filter((n) => existsSync(join(dir, n, 'model.onnx'))).sort();
  if (quick) names = names.filter((n) => QUICK.includes(n));
  if (filter) names = names.filter((n) => filter.test(n));
  const result = { supported: 0, passed: 0, failed: [], reasons: {} };
  for (const name of names) {
    const d = join(dir, name);
    if (!isSupported(mod, readFileSync(join(d, 'model.onnx')), ops)) continue;
    result.supported++;
    const reason = await runNodeTest(mod, d);
    if (reason) {
      result.failed.push(name);
      result.reasons[name] = reason;
    } else {
      result.passed++;
    }
  }
  return result;
}

async function main(argv) {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  const fi = argv.indexOf('--filter');
  const filter = fi >= 0 ? new RegExp(argv[fi + 1]) : null;
  const di = argv.indexOf('--dir');
  const dir = di >= 0 ? argv[di + 1] : NODE_DIR;
  if (!existsSync(dir)) {
    console.error(`conformance: ${dir} not found; install the Debian package libonnx-testdata`);
    process.exit(2);
  }
  const t0 = performance.now();
  const r = await runConformance({ filter, quick, dir });
  for (const name of r.failed) {
    const known = KNOWN_FAILURES[name] ? ` [known: ${KNOWN_FAILURES[name]}]` : ' [UNEXPECTED]';
    console.error(`FAIL ${name}: ${r.reasons[name]}${known}`);
  }
  if (!json) console.log(`${r.passed}/${r.supported} supported node tests pass (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(JSON.stringify({ supported: r.supported, passed: r.passed, failed: r.failed }));
  process.exitCode = r.failed.some((n) => !KNOWN_FAILURES[n]) ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
