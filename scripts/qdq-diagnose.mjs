// Where does a static int8 model lose accuracy? Quantizes a fixture model with wasmq, then edits its
// QDQ export: each activation Q->DQ pair becomes a Clip to the same int8 range (no rounding), for
// all tensors or all but one class, and measures the output against float.
//   node scripts/qdq-diagnose.mjs [--model ppocr-cls|ppocr-det|...] [--calib 16] [--calib-batch 1] [--test 300] [--classes] [--each regex] [--unround regex] [--each-clip regex] [--logit | --expected]
//   [--calibration minmax|percentile|mse|entropy] [--int16 conv-inputs]
// (ppocr-cls's test in tests/js/quantize-model.test.mjs: --calib 8 --calib-batch 8 --test 500)
// Text-line models test on rendered lines, other image models on digit pages, the rest on random feeds.
import protobuf from 'protobufjs';
import { init } from '../dist/node.mjs';
import { MODELS, calibrationFeeds, modelBytes, testFeed } from '../tests/fixtures/models.mjs';

// The part of onnx.proto this script edits (field numbers from onnx/onnx.proto).
const ONNX_PROTO = `syntax = "proto2"; package onnx;
message AttributeProto { optional string name = 1; optional string ref_attr_name = 21; optional string doc_string = 13;
  optional int32 type = 20; optional float f = 2; optional int64 i = 3; optional bytes s = 4; optional TensorProto t = 5;
  optional GraphProto g = 6; repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9;
  repeated TensorProto tensors = 10; repeated GraphProto graphs = 11; }
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3;
  optional string op_type = 4; optional string domain = 7; repeated AttributeProto attribute = 5; optional string doc_string = 6; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message ModelProto { optional int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2; optional string producer_version = 3; optional string domain = 4;
  optional int64 model_version = 5; optional string doc_string = 6; optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14; }
message GraphProto { repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5;
  optional string doc_string = 10; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true]; repeated bytes string_data = 6; repeated int64 int64_data = 7 [packed = true];
  optional string name = 8; optional string doc_string = 12; optional bytes raw_data = 9;
  repeated double double_data = 10 [packed = true]; repeated uint64 uint64_data = 11 [packed = true]; }
message TensorShapeProto { message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; optional string denotation = 3; }
  repeated Dimension dim = 1; }
message TypeProto { message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1; optional string denotation = 6; }`;
const ModelProto = protobuf.parse(ONNX_PROTO).root.lookupType('onnx.ModelProto');

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i < 0 ? d : Number(args[i + 1]); };
const id = args.includes('--model') ? args[args.indexOf('--model') + 1] : 'ppocr-cls';
if (!MODELS[id]) throw new Error(`unknown model '${id}' (${Object.keys(MODELS).join(', ')})`);
const wq = await init();
const model = await wq.loadModel(modelBytes(id));
const calibration = args.includes('--calibration') ? args[args.indexOf('--calibration') + 1] : 'minmax';
// --int16 conv-inputs: A16W8 mixed precision (the export's int16 Q/DQ are left as they are).
const int16 = args.includes('--int16') ? args[args.indexOf('--int16') + 1] : 'none';
const qm = await wq.quantizeModel(model, { mode: 'static', activations: { dtype: 'int8', calibration, int16 }, calibrationData: calibrationFeeds(id, { count: opt('calib', 16), batch: opt('calib-batch', undefined) }) });
const qdq = qm.toOnnx();
const tests = Array.from({ length: opt('test', 300) }, (_, i) => testFeed(id, i));
const refs = [];
for (const f of tests) refs.push(Object.values(await model.run(f))[0].data);

const scalar = (t, Type) => (t.rawData?.length ? new Type(t.rawData.slice().buffer)[0] : (Type === Float32Array ? t.floatData[0] : t.int32Data[0]));

/** The QDQ export with Q->DQ of every activation tensor for which `unround(name)` holds replaced by a clip to its int8 range. */
function unrounded(bytes, unround, { clip = true } = {}) {
  const mp = ModelProto.decode(bytes);
  const g = mp.graph;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const producer = new Map();
  g.node.forEach((n) => n.output.forEach((o) => producer.set(o, n)));
  const rename = new Map(), drop = new Set(), clips = [];
  for (const dq of g.node) {
    const q = dq.opType === 'DequantizeLinear' ? producer.get(dq.input[0]) : null;
    if (!q || q.opType !== 'QuantizeLinear' || inits.has(q.input[0]) || !unround(q.input[0])) continue;
    const zt = inits.get(q.input[2]);
    const bits = zt.dataType === 5 ? 16 : 8;   // INT16 codes (--int16) or INT8
    const sc = scalar(inits.get(q.input[1]), Float32Array), zp = scalar(zt, bits === 16 ? Int16Array : Int8Array);
    const name = `${q.input[0]}__clip${clips.length}`;
    // Saturation is semantics too (a fused Relu is zero point -128, a fused Relu6 ends at 6).
    const qmin = bits === 16 ? -32768 : -128, qmax = bits === 16 ? 32767 : 127;
    let lo = (qmin - zp) * sc, hi = (qmax - zp) * sc;
    if (!(typeof clip === 'function' ? clip(q.input[0]) : clip)) { lo = zp === qmin ? 0 : -3e38; hi = Math.abs(hi - 6) < 0.01 ? 6 : 3e38; }
    g.initializer.push({ name: `${name}_lo`, dataType: 1, floatData: [lo] }, { name: `${name}_hi`, dataType: 1, floatData: [hi] });
    clips.push({ input: [q.input[0], `${name}_lo`, `${name}_hi`], output: [name], opType: 'Clip', name });
    rename.set(dq.output[0], name);
    drop.add(dq).add(q);
  }
  g.node = g.node.filter((n) => !drop.has(n));
  for (const n of g.node) n.input = n.input.map((x) => rename.get(x) ?? x);
  for (const c of clips) {   // right after the producer of the clipped tensor: the order stays topological
    const at = g.node.findIndex((n) => n.output.includes(c.input[0]));
    g.node.splice(at + 1, 0, c);
  }
  for (const o of g.output) if (rename.has(o.name)) g.node.push({ input: [rename.get(o.name)], output: [o.name], opType: 'Identity', name: `${o.name}__id` });
  return ModelProto.encode(mp).finish();
}

// --logit: a two-class softmax output is compared as its logit difference log(p1 / p0), where every
// input counts (the probabilities hide the error of confident inputs and magnify unsure ones).
// --expected (two-class softmax): the output SQNR expected from the logit error's rms over the
// inputs with |logit| < 8, weighted by each input's softmax slope: far steadier than the measured
// SQNR, which a few unsure inputs decide.
const logit = args.includes('--logit'), expected = args.includes('--expected');
async function sqnr(bytes) {
  const m = await wq.loadModel(bytes);
  let s = 0, e = 0, le = 0, ln = 0;
  for (let i = 0; i < tests.length; i++) {
    const y = Object.values(await m.run(tests[i]))[0].data;
    if (expected) {
      for (let j = 0; j + 1 < y.length; j += 2) {
        const a = Math.log(refs[i][j + 1] / refs[i][j]), b = Math.log(y[j + 1] / y[j]), p = refs[i][j + 1];
        s += refs[i][j] ** 2 + p * p;
        e += 2 * (p * (1 - p)) ** 2;   // times the mean squared logit error, below
        if (Math.abs(a) < 8 && Number.isFinite(b)) { le += (a - b) ** 2; ln++; }
      }
    } else if (logit) {
      for (let j = 0; j + 1 < y.length; j += 2) {
        const a = Math.log(refs[i][j + 1] / refs[i][j]), b = Math.log(y[j + 1] / y[j]);
        if (Number.isFinite(a) && Number.isFinite(b)) { s += a * a; e += (a - b) ** 2; }
      }
    } else {
      for (let j = 0; j < y.length; j++) { s += refs[i][j] ** 2; e += (refs[i][j] - y[j]) ** 2; }
    }
  }
  m.dispose();
  if (expected) e *= le / ln;
  return +(10 * Math.log10(s / e)).toFixed(2);
}

const names = ModelProto.decode(qdq).graph.node.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.input[0]);
const inits = new Set(ModelProto.decode(qdq).graph.initializer.map((t) => t.name));
const acts = names.filter((t) => !inits.has(t));
const rows = [
  { case: `${int16 === 'none' ? 'int8' : `int16 ${int16}`} QDQ export as is`, sqnrDb: await sqnr(qdq) },
  { case: `no activation rounding (${acts.length} tensors clipped to their int8 range)`, sqnrDb: await sqnr(unrounded(qdq, () => true)) },
  { case: 'no activation rounding, no clipping (weights only)', sqnrDb: await sqnr(unrounded(qdq, () => true, { clip: false })) },
];
if (args.includes('--classes')) {
  const classes = { 'conv outputs': /^(batch_norm|conv2d)_/, 'relu outputs': /^relu_/, 'global average pools': /GlobalAveragePool/,
    'mul outputs': /^p2o\.Mul\./, 'hard-swish outputs': /^hardswish_/, 'add/clip outputs': /^p2o\.(Clip|Add)\./,
    'input x': /^x$/, 'hard-sigmoid outputs': /^hardsigmoid_/ };
  for (const [label, re] of Object.entries(classes)) {
    const n = acts.filter((t) => re.test(t)).length;
    rows.push({ case: `only ${label} rounded (${n})`, sqnrDb: await sqnr(unrounded(qdq, (t) => !re.test(t))) });
  }
}
if (args.includes('--unround')) {   // what rounding these tensors costs: all rounded but them
  const re = new RegExp(args[args.indexOf('--unround') + 1]);
  rows.push({ case: `all rounded but ${acts.filter((t) => re.test(t)).length} tensors matching ${re}`, sqnrDb: await sqnr(unrounded(qdq, (t) => re.test(t))) });
}
// --conv-inputs all|dw|pw|first:N: what int16 convolution inputs would give: the inputs of every
// (depthwise, non-depthwise, or the first N) Conv left unrounded (clipped to their int8 range).
if (args.includes('--conv-inputs')) {
  const which = args[args.indexOf('--conv-inputs') + 1];
  const mp = ModelProto.decode(qdq);
  const producer = new Map();
  mp.graph.node.forEach((n) => n.output.forEach((o) => producer.set(o, n)));
  const source = (t) => {   // DQ(Q(T)) -> T
    const dq = producer.get(t);
    const q = dq?.opType === 'DequantizeLinear' ? producer.get(dq.input[0]) : null;
    return q?.opType === 'QuantizeLinear' ? q.input[0] : null;
  };
  const convs = mp.graph.node.filter((n) => n.opType === 'Conv').map((n) => ({
    x: source(n.input[0]), dw: (n.attribute.find((a) => a.name === 'group')?.i ?? 1) > 1 }));
  // 'eligible': the tensors whose consumers are all Conv and whose producer is not a pool (what
  // wasmq's int16 activations cover: producers Conv, hard-swish tables, QLinearMul/Add).
  const consumers = new Map();
  mp.graph.node.forEach((n) => n.input.forEach((i) => consumers.set(i, [...(consumers.get(i) ?? []), n])));
  const dqOf = new Map();
  mp.graph.node.filter((n) => n.opType === 'DequantizeLinear').forEach((n) => { const q = producer.get(n.input[0]); if (q?.opType === 'QuantizeLinear') dqOf.set(q.input[0], [...(dqOf.get(q.input[0]) ?? []), n]); });
  const eligible = (t) => {
    const users = (dqOf.get(t) ?? []).flatMap((dq) => consumers.get(dq.output[0]) ?? []);
    const pr = producer.get(t) ?? producer.get(t.replace(/$/, '__f'));
    return users.length > 0 && users.every((u) => u.opType === 'Conv') && !/Pool/.test(pr?.opType ?? 'Pool');
  };
  if (which === 'eligible') convs.forEach((c) => { c.dw = c.x ? eligible(c.x) : false; });
  const first = which.startsWith('first:') ? Number(which.slice(6)) : Infinity;
  const set = new Set(convs.filter((c, i) => c.x && c.x !== 'x' && i < first && (which === 'dw' || which === 'eligible' ? c.dw : which === 'pw' ? !c.dw : true)).map((c) => c.x));
  // --plus regex: these tensors unrounded as well.
  const plus = args.includes('--plus') ? new RegExp(args[args.indexOf('--plus') + 1]) : null;
  const label = plus ? ` and ${acts.filter((t) => !set.has(t) && plus.test(t)).length} matching ${plus}` : '';
  rows.push({ case: `all rounded but the inputs of ${which} convs (${set.size} tensors)${label}`,
    sqnrDb: await sqnr(unrounded(qdq, (t) => set.has(t) || (plus !== null && plus.test(t)))) });
}
if (args.includes('--each-clip')) {   // one tensor clipped to its range (not rounded), every other one float
  const re = new RegExp(args[args.indexOf('--each-clip') + 1]);
  for (const t of acts.filter((a) => re.test(a))) {
    rows.push({ case: `only ${t} clipped`, sqnrDb: await sqnr(unrounded(qdq, () => true, { clip: (x) => x === t })) });
  }
}
const each = args.includes('--each') ? new RegExp(args[args.indexOf('--each') + 1]) : null;
if (each) {   // one tensor at a time: which single tensors cost the most
  for (const t of acts.filter((a) => each.test(a))) rows.push({ case: `only ${t} rounded`, sqnrDb: await sqnr(unrounded(qdq, (x) => x !== t)) });
}
console.table(rows);
