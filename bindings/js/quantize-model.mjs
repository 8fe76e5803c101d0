// JS side of model quantization: quantizeModel(mod, model, options) checks the options, streams
// the calibration feeds through the float model into the observers, converts, measures per-node
// SQNR, and returns a QuantizedModel (run, report, toOnnx, dispose).

import { loadModel } from './model.mjs';

const TYPED_OF = new Map([
  [Float32Array, 'float32'], [Float64Array, 'float64'], [Int8Array, 'int8'], [Uint8Array, 'uint8'],
  [Int32Array, 'int32'], [BigInt64Array, 'int64'], [Uint16Array, 'float16'],
]);
const TYPED = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array,
  int32: Int32Array, int64: BigInt64Array, bool: Uint8Array,
};
const MODES = ['dynamic', 'static', 'weight-only'];
const CALIBRATIONS = ['minmax', 'percentile', 'mse', 'entropy', 'auto'];
// What 'auto' tries, in this order (a tie keeps the earlier one).
const AUTO_CANDIDATES = ['minmax', 'percentile', 'mse'];   // as bindings/embind_quantize.cc observes
const OPTION_KEYS = ['mode', 'weights', 'activations', 'calibrationData', 'exclude', 'onProgress'];

function fail(message) {
  throw new Error(message);
}

function typeName(v) {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return v.constructor ? v.constructor.name : 'object';
}

// Calibration and the report pass observe each tensor as the run produces it (streamed outputs);
// memory is that of a plain run plus the 8-bit codes of one run's quantized tensors. A feed whose
// batch dimension is dynamic runs one sample at a time (splitBatch): only one sample must fit.
const OOM_HINT = '; quantizeModel runs each calibration feed through the float and the quantized model and keeps the ' +
  'quantized tensors of one run (one sample at a time when the batch dimension is dynamic, else the whole feed): ' +
  'use smaller inputs or batches';

function unwrap(result, what) {
  if (result && typeof result === 'object' && typeof result.error === 'string') {
    const hint = what.startsWith('quantizeModel') && /out of memory/.test(result.error) ? OOM_HINT : '';
    fail(`${what}: ${result.error}${hint}`);
  }
  return result;
}

function checkKeys(obj, allowed, what) {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(`quantizeModel: unknown option '${what}${k}' (expected one of: ${allowed.join(', ')})`);
  }
}

// Validates the options and fills defaults; every error names the option.
function normalizeOptions(options) {
  if (options === null || typeof options !== 'object') fail(`quantizeModel: options must be an object (got ${typeName(options)})`);
  checkKeys(options, OPTION_KEYS, '');
  const mode = options.mode ?? 'static';
  if (!MODES.includes(mode)) fail(`quantizeModel: unknown mode '${String(mode)}' (expected one of: ${MODES.join(', ')})`);
  const w = options.weights ?? (mode === 'weight-only' ? { dtype: 'int4', granularity: 'block' } : { dtype: 'int8', granularity: 'channel' });
  if (w === null || typeof w !== 'object') fail(`quantizeModel: weights must be an object (got ${typeName(w)})`);
  checkKeys(w, ['dtype', 'granularity', 'blockSize'], 'weights.');
  const wDtype = w.dtype ?? (mode === 'weight-only' ? 'int4' : 'int8');
  const wGran = w.granularity ?? (mode === 'weight-only' ? 'block' : 'channel');
  if (mode === 'weight-only') {
    if (wDtype !== 'int4') fail(`quantizeModel: weights.dtype must be 'int4' in weight-only mode (got '${String(wDtype)}')`);
    if (wGran !== 'block') fail(`quantizeModel: weights.granularity must be 'block' in weight-only mode (got '${String(wGran)}')`);
  } else {
    if (wDtype !== 'int8') fail(`quantizeModel: weights.dtype must be 'int8' in ${mode} mode (got '${String(wDtype)}'; int4 is mode 'weight-only')`);
    if (wGran !== 'channel') fail(`quantizeModel: weights.granularity must be 'channel' in ${mode} mode (got '${String(wGran)}')`);
  }
  const blockSize = w.blockSize ?? 32;
  if (!Number.isInteger(blockSize) || blockSize < 32 || blockSize % 32 !== 0) {
    fail(`quantizeModel: weights.blockSize must be a multiple of 32 (got ${String(blockSize)})`);
  }
  const a = options.activations ?? {};
  if (a === null || typeof a !== 'object') fail(`quantizeModel: activations must be an object (got ${typeName(a)})`);
  checkKeys(a, ['dtype', 'calibration', 'percentile', 'bins', 'int16'], 'activations.');
  const aDtype = a.dtype ?? 'int8';
  if (aDtype !== 'int8' && aDtype !== 'uint8') fail(`quantizeModel: activations.dtype must be 'int8' or 'uint8' (got '${String(aDtype)}')`);
  // int16 codes (A16W8 mixed precision) for the convolutions' inputs and the conv outputs that go
  // into hard-swish (quantizer.h, Int16Activations).
  const int16 = a.int16 ?? 'none';
  if (int16 !== 'none' && int16 !== 'conv-inputs') fail(`quantizeModel: activations.int16 must be 'none' or 'conv-inputs' (got '${String(int16)}')`);
  if (int16 !== 'none' && (mode !== 'static' || aDtype !== 'int8')) fail(`quantizeModel: activations.int16 '${int16}' needs mode 'static' with activations.dtype 'int8'`);
  const calibration = a.calibration ?? 'minmax';
  if (calibration === 'auto' && mode !== 'static') fail(`quantizeModel: activations.calibration 'auto' needs mode 'static' (got '${mode}')`);
  if (!CALIBRATIONS.includes(calibration)) {
    fail(`quantizeModel: unknown activations.calibration '${String(calibration)}' (expected one of: ${CALIBRATIONS.join(', ')})`);
  }
  const percentile = a.percentile ?? 99.99;
  if (typeof percentile !== 'number' || !(percentile > 0 && percentile <= 100)) fail(`quantizeModel: activations.percentile must be in (0, 100] (got ${String(percentile)})`);
  const bins = a.bins ?? 2048;
  if (!Number.isInteger(bins) || bins < 16 || bins > (1 << 20)) fail(`quantizeModel: activations.bins must be an integer in [16, 1048576] (got ${String(bins)})`);
  const exclude = options.exclude ?? [];
  if (!Array.isArray(exclude) || exclude.some((x) => typeof x !== 'string')) fail('quantizeModel: exclude must be an array of node names (strings)');
  const onProgress = options.onProgress ?? null;
  if (onProgress !== null && typeof onProgress !== 'function') fail(`quantizeModel: onProgress must be a function (got ${typeName(onProgress)})`);
  const data = options.calibrationData;
  if (data !== undefined && data !== null && typeof data[Symbol.iterator] !== 'function' && typeof data[Symbol.asyncIterator] !== 'function') {
    fail(`quantizeModel: calibrationData must be an array, an iterable or an async iterable of feeds (got ${typeName(data)})`);
  }
  if (mode === 'static' && (data === undefined || data === null)) {
    fail("quantizeModel: calibrationData is required in mode 'static' (an array or iterable of feeds { name: { data, dims } })");
  }
  return {
    mode, blockSize, activationDtype: aDtype, int16, calibration, percentile, bins, exclude, onProgress,
    data: data ?? [],
  };
}

// Checks one feed set against the model's inputs; every error names the input.
function checkFeeds(feeds, inputNames, what) {
  if (feeds === null || typeof feeds !== 'object') fail(`${what}: feeds must be an object mapping input names to { data, dims } (got ${typeName(feeds)})`);
  for (const key of Object.keys(feeds)) {
    if (!inputNames.includes(key)) fail(`${what}: unknown input '${key}' (model inputs: ${inputNames.join(', ')})`);
  }
  for (const name of inputNames) {
    const feed = feeds[name];
    if (feed === undefined || feed === null || typeof feed !== 'object') fail(`${what}: input '${name}' is missing (expected { data, dims })`);
    const { data, dims } = feed;
    if (!TYPED_OF.get(data?.constructor)) fail(`${what}: input '${name}': data must be a typed array (got ${typeName(data)})`);
    if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d) || d < 0)) fail(`${what}: input '${name}': dims must be an array of non-negative integers`);
    const n = dims.reduce((x, y) => x * y, 1);
    if (data.length !== n) fail(`${what}: input '${name}': data has ${data.length} elements but dims [${dims.join(', ')}] need ${n}`);
  }
}

// Copies one feed set into a model of the handle (which: 0 float, 1 report, 2 quantized).
function stageFeeds(mod, h, which, inputNames, feeds, what) {
  checkFeeds(feeds, inputNames, what);
  inputNames.forEach((name, index) => {
    const { data, dims } = feeds[name];
    const r = unwrap(h.stage(which, index, TYPED_OF.get(data.constructor), dims), `${what}: input '${name}'`);
    if (data.length > 0) new data.constructor(mod.HEAPU8.buffer, r.ptr, data.length).set(data);
  });
}

// Calibration memory grows with the batch of a run, the result does not: a feed whose inputs all
// have a dynamic first dimension of the same size B > 1 becomes B feeds of one sample (views, no
// copy). Whether that first dimension is a batch is checked once per model (batchSplitter).
function splitBatch(feeds, io) {
  const names = io.inputs;
  if (!names.length || !names.every((n, i) => io.dynamicBatch[i] && Array.isArray(feeds[n]?.dims) && feeds[n].dims.length > 0)) return [feeds];
  const b = feeds[names[0]].dims[0];
  if (!(b > 1) || !names.every((n) => feeds[n].dims[0] === b && feeds[n].data?.length % b === 0)) return [feeds];
  return Array.from({ length: b }, (_, k) => Object.fromEntries(names.map((n) => {
    const { data, dims } = feeds[n];
    const per = data.length / b;
    return [n, { data: data.subarray(k * per, (k + 1) * per), dims: [1, ...dims.slice(1)] }];
  })));
}

// Same values, up to float rounding (the runtime's kernels may block a batch differently).
function sameOutputs(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]), y = Number(b[i]);
    if (!(Math.abs(x - y) <= 1e-5 + 1e-4 * Math.abs(x)) && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}

// Returns split(feeds) -> the runs to observe for one calibration feed. The first feed that
// splitBatch would split is checked: its samples one at a time through the float model must give
// the whole feed's outputs (from a plain float model, whose memory the arena bounds). They do when
// the first dimension is a batch; when it is not (a sequence-first RNN input, a model mixing rows),
// every feed runs whole, as given.
function batchSplitter(mod, h, io, plainModel) {
  let verdict = null;
  return async (feeds, index) => {
    const parts = splitBatch(feeds, io);
    if (parts.length === 1 || verdict === true) return parts;
    if (verdict === false) return [feeds];
    const samples = parts.map((p) => {
      stageFeeds(mod, h, 0, io.inputs, p, `quantizeModel: calibrationData[${index}]`);
      unwrap(h.runFloat(), `quantizeModel: calibrationData[${index}]`);
      return readOutputs(mod, unwrap(h.floatOutputs(), 'quantizeModel'));
    });
    const whole = (await plainModel()).runSync(feeds);
    verdict = io.outputs.every((name, k) => {
      const joined = samples.flatMap((s) => Array.from(s[k].data));
      return whole[name] !== undefined && sameOutputs(whole[name].data, joined);
    });
    return verdict ? parts : [feeds];
  };
}

// Copies a handle's output descriptors ({ ptr, dims, dtype }) out of wasm memory.
function readOutputs(mod, outs) {
  return Array.from(outs, (r) => {
    const n = r.dims.reduce((a, b) => a * b, 1);
    return { data: new TYPED[r.dtype](mod.HEAPU8.buffer, r.ptr, n).slice(), dtype: r.dtype };
  });
}

// calibration 'auto': for each candidate (its ranges come from the one calibration pass), runs the
// quantized model on the calibration feeds and measures the SQNR of its float outputs against the
// float model's: [{ calibration, outputSqnrDb }].
function autoTrials(mod, h, io, kept, nFeeds, floatOuts, progress) {
  const trials = [];
  AUTO_CANDIDATES.forEach((c, step) => {
    if (step > 0) unwrap(h.selectCalibration(c, true), `quantizeModel: calibration '${c}'`);
    let ref = 0, err = 0;
    kept.forEach(({ feeds, index, last }, i) => {
      stageFeeds(mod, h, 2, io.inputs, feeds, `quantizeModel: calibrationData[${index}]`);
      const got = readOutputs(mod, unwrap(h.run(), `quantizeModel: calibration '${c}' on calibrationData[${index}]`));
      floatOuts[i].forEach((f, k) => {
        if (f.dtype !== 'float32' || got[k].dtype !== 'float32' || got[k].data.length !== f.data.length) return;
        for (let j = 0; j < f.data.length; j++) {
          ref += f.data[j] * f.data[j];
          err += (f.data[j] - got[k].data[j]) ** 2;
        }
      });
      if (last) progress('auto', step * nFeeds + index + 1, AUTO_CANDIDATES.length * nFeeds);
    });
    trials.push({ calibration: c, outputSqnrDb: err === 0 ? Infinity : 10 * Math.log10(ref / err) });
  });
  return trials;
}

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((handle) => { try { handle.delete(); } catch { /* already freed */ } })
  : null;

/**
 * Quantizes a loaded Model (or the bytes of an .onnx file). See docs/quantize-model.md.
 * Calibration feeds are kept (references) until the report pass is done, so an iterable is read once.
 */
export async function quantizeModel(mod, model, options = {}) {
  const bytes = model instanceof Uint8Array ? model : model instanceof ArrayBuffer ? new Uint8Array(model) : model?._bytes;
  if (!(bytes instanceof Uint8Array)) fail(`quantizeModel: model must be a Model from loadModel() or the .onnx bytes (got ${typeName(model)})`);
  if (!mod || typeof mod.QuantizerHandle !== 'function') fail('quantizeModel: the wasm module has no quantizer (QuantizerHandle)');
  const o = normalizeOptions(options);
  const progress = (stage, done, total) => { if (o.onProgress) o.onProgress({ stage, done, total }); };
  const h = new mod.QuantizerHandle();
  let plainLoaded = null;  // a float Model loaded from the bytes, for batchSplitter's check
  try {
    const ptr = mod._malloc(Math.max(1, bytes.length));
    if (!ptr) fail(`quantizeModel: cannot allocate ${bytes.length} bytes of wasm memory`);
    let info;
    try {
      mod.HEAPU8.set(bytes, ptr);
      info = h.create(ptr, bytes.length, {
        mode: o.mode, activationDtype: o.activationDtype, int16: o.int16, calibration: o.calibration, percentile: o.percentile,
        bins: o.bins, blockSize: o.blockSize, exclude: o.exclude,
      });
    } finally {
      mod._free(ptr);
    }
    unwrap(info, 'quantizeModel');
    const floatIo = unwrap(h.io(0), 'quantizeModel');
    const total = Array.isArray(o.data) ? o.data.length : null;
    const kept = [], floatOuts = [];
    let done = 0;
    const split = batchSplitter(mod, h, floatIo, async () => {
      if (typeof model?.runSync === 'function') return model;
      plainLoaded ??= await loadModel(mod, bytes);
      return plainLoaded;
    });
    const iterator = typeof o.data[Symbol.asyncIterator] === 'function' ? o.data[Symbol.asyncIterator]() : o.data[Symbol.iterator]();
    for (;;) {
      const step = await iterator.next();
      if (step.done) break;
      // Checked whole first (a bad feed is named by its index), then run one sample at a time.
      checkFeeds(step.value, floatIo.inputs, `quantizeModel: calibrationData[${done}]`);
      const samples = await split(step.value, done);
      samples.forEach((feeds, k) => {
        stageFeeds(mod, h, 0, floatIo.inputs, feeds, `quantizeModel: calibrationData[${done}]`);
        if (o.mode === 'static') unwrap(h.observe(), `quantizeModel: calibrationData[${done}]`);
        if (o.calibration === 'auto') floatOuts.push(readOutputs(mod, unwrap(h.floatOutputs(), 'quantizeModel')));
        kept.push({ feeds, index: done, last: k === samples.length - 1 });
      });
      progress('calibrate', ++done, total);
    }
    if (o.mode === 'static' && kept.length === 0) fail("quantizeModel: calibrationData is empty; mode 'static' needs at least one feed to calibrate activation ranges");
    progress('convert', 0, 1);
    let conv = unwrap(h.convert(), 'quantizeModel');
    progress('convert', 1, 1);
    let calibration = o.calibration, trials = null;
    if (o.calibration === 'auto') {
      calibration = 'minmax';
      if (!conv.loadError) {
        trials = autoTrials(mod, h, floatIo, kept, done, floatOuts, progress);
        calibration = trials.reduce((b, t) => (t.outputSqnrDb > b.outputSqnrDb ? t : b), trials[0]).calibration;
        conv = unwrap(h.selectCalibration(calibration, false), `quantizeModel: calibration '${calibration}'`);
      }
    }
    // The report pass: every calibration feed through the float and the report model.
    let outputSqnrDb = null;
    if (!conv.loadError) {
      for (const { feeds, index, last } of kept) {
        stageFeeds(mod, h, 0, floatIo.inputs, feeds, `quantizeModel: calibrationData[${index}]`);
        stageFeeds(mod, h, 1, floatIo.inputs, feeds, `quantizeModel: calibrationData[${index}]`);
        outputSqnrDb = unwrap(h.compare(), `quantizeModel: report on calibrationData[${index}]`).outputSqnrDb;
        if (last) progress('report', index + 1, done);
      }
    }
    // Only the quantized model, the report rows and the ONNX bytes are needed from here on.
    unwrap(h.releaseCalibration(), 'quantizeModel');
    return new QuantizedModel(mod, h, o.mode, floatIo, conv.loadError, info.passes,
      { calibration: o.mode === 'static' ? calibration : null, calibrationTrials: trials, outputSqnrDb });
  } catch (e) {
    h.delete();
    throw e;
  } finally {
    plainLoaded?.dispose();
  }
}

/** The result of quantizeModel(). Call dispose() when done. */
export class QuantizedModel {
  constructor(mod, handle, mode, io, loadError, passes, { calibration = null, calibrationTrials = null, outputSqnrDb = null } = {}) {
    this._m = mod;
    this._h = handle;
    this.mode = mode;
    this.inputs = Object.freeze([...io.inputs]);
    this.outputs = Object.freeze([...io.outputs]);
    /** Empty when wasmq's runtime runs the quantized model; else why it cannot (run() throws it). */
    this.loadError = loadError;
    /** What the float passes changed: { constants, upgraded, bnFolded, gemmSplit, divToMul, affineFolded }. */
    this.passes = Object.freeze({ ...passes });
    /** Static: the calibration the activation ranges come from (what 'auto' picked); else null. */
    this.calibration = calibration;
    /** calibration 'auto': [{ calibration, outputSqnrDb }] per candidate, on the calibration feeds; else null. */
    this.calibrationTrials = calibrationTrials ? Object.freeze(calibrationTrials.map((t) => Object.freeze({ ...t }))) : null;
    /** SQNR (dB) of the model's float outputs against the float model over the calibration feeds (null if none ran). */
    this.outputSqnrDb = Number.isFinite(outputSqnrDb) ? outputSqnrDb : null;
    registry?.register(this, handle, this);
  }

  _live(what) {
    if (!this._h) fail(`QuantizedModel.${what}: the model was disposed`);
    return this._h;
  }

  /** Runs the quantized (QOperator) model in wasmq's runtime: { [output]: { data, dims, dtype } }. */
  async run(feeds) {
    const h = this._live('run');
    if (this.loadError) fail(`QuantizedModel.run: ${this.loadError}`);
    stageFeeds(this._m, h, 2, this.inputs, feeds, 'QuantizedModel.run');
    const outs = unwrap(h.run(), 'QuantizedModel.run');
    const heap = this._m.HEAPU8.buffer;
    const result = {};
    this.outputs.forEach((name, i) => {
      const r = outs[i];
      const Ctor = TYPED[r.dtype];
      const n = r.dims.reduce((a, b) => a * b, 1);
      result[name] = { data: new Ctor(heap, r.ptr, n).slice(), dims: r.dims, dtype: r.dtype };
    });
    return result;
  }

  /**
   * Per quantized node, in graph order: { node, op, qop, output, outputSqnrDb, weightSqnrDb, scale,
   * zeroPoint, dtype }. outputSqnrDb is null when no report batch ran (no data, or the runtime cannot
   * run the quantized model); scale/zeroPoint/dtype are null in dynamic and weight-only modes.
   */
  report() {
    return unwrap(this._live('report').report(), 'QuantizedModel.report');
  }

  /**
   * The model as ONNX bytes. form 'qdq' (default; static mode: QuantizeLinear/DequantizeLinear
   * pairs, opset 13; dynamic and weight-only: the same graph wasmq runs), 'qoperator' (what wasmq
   * runs) or 'report' (qoperator + every quantized node's output as an extra graph output: its 8-bit
   * codes `<tensor>__q` in static mode, a float copy `<tensor>__report` otherwise).
   */
  toOnnx({ form = 'qdq' } = {}) {
    if (!['qdq', 'qoperator', 'report'].includes(form)) fail(`toOnnx: unknown form '${String(form)}' (expected one of: qdq, qoperator, report)`);
    const r = unwrap(this._live('toOnnx').bytes(form === 'qdq' ? 'export' : form), 'toOnnx');
    return r.bytes;
  }

  /** Frees the quantizer's wasm memory. Safe to call twice. */
  dispose() {
    if (this._h) {
      registry?.unregister(this);
      this._h.delete();
      this._h = null;
    }
  }
}
