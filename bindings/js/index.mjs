// wasmq's ESM wrapper: picks the SIMD or scalar wasm build, validates arguments, converts typed
// arrays and turns the module's { error } results into JS Errors that name the bad argument.
import { loadModel as loadModelInto, supportedOps } from './model.mjs';
import { quantizeModel as quantizeModelIn } from './quantize-model.mjs';

export { Model } from './model.mjs';
export { QuantizedModel } from './quantize-model.mjs';

/** A 31-byte module using a v128 instruction: validates only where WASM SIMD is supported. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0,
  65, 0, 253, 15, 253, 98, 11]);

export function simdSupported() {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export const DTYPES = Object.freeze(['int8', 'uint8', 'int16', 'int4', 'uint4', 'float16', 'bfloat16']);
export const SCHEMES = Object.freeze(['affine', 'symmetric', 'log2', 'kmeans']);
export const GRANULARITIES = Object.freeze(['tensor', 'channel', 'block']);
export const CALIBRATIONS = Object.freeze(['minmax', 'moving-average', 'percentile', 'mse', 'entropy']);

const WASM_FILES = { simd: 'wasmq-simd.wasm', scalar: 'wasmq-scalar.wasm' };

function resolveWasmPath(wasmPaths, file) {
  if (typeof wasmPaths === 'string') return wasmPaths.endsWith('/') ? wasmPaths + file : `${wasmPaths}/${file}`;
  if (wasmPaths && typeof wasmPaths === 'object' && typeof wasmPaths[file] === 'string') return wasmPaths[file];
  throw new Error(`init: wasmPaths must be a URL prefix string or an object mapping '${file}' to a URL`);
}

/**
 * Loads the wasm module. Options: simd (default: feature detection), wasmPaths (URL prefix, or
 * { 'wasmq-simd.wasm': url, 'wasmq-scalar.wasm': url }, for bundlers that do not copy the .wasm),
 * wasmBinary (the .wasm bytes, e.g. read from disk in Node).
 */
export async function init(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('init: options must be an object');
  const simd = options.simd === undefined ? simdSupported() : Boolean(options.simd);
  if (simd && !simdSupported()) {
    throw new Error('init: { simd: true } was asked for but this engine does not support WebAssembly SIMD');
  }
  const factory = simd ? (await import('./wasmq-simd.mjs')).default : (await import('./wasmq-scalar.mjs')).default;
  const moduleArgs = { print: () => {}, printErr: (s) => console.warn(`[wasmq] ${s}`) };
  if (options.wasmBinary) {
    moduleArgs.wasmBinary = options.wasmBinary;
  } else if (options.wasmPaths) {
    moduleArgs.locateFile = (file) => resolveWasmPath(options.wasmPaths, file);
  } else {
    // `new URL(literal, import.meta.url)`: bundlers (Vite, webpack 5, esbuild with a loader) copy the file.
    const urls = {
      simd: new URL('./wasmq-simd.wasm', import.meta.url).href,
      scalar: new URL('./wasmq-scalar.wasm', import.meta.url).href,
    };
    moduleArgs.locateFile = () => (simd ? urls.simd : urls.scalar);
  }
  let mod;
  try {
    mod = await factory(moduleArgs);
  } catch (e) {
    const file = simd ? WASM_FILES.simd : WASM_FILES.scalar;
    throw new Error(`init: could not load ${file} (${e && e.message ? e.message : e}); ` +
      'pass { wasmPaths } with the URL where the .wasm files are served, or { wasmBinary }');
  }
  return new Wasmq(mod, simd);
}

// ---- argument checking ----

function fail(message) {
  throw new Error(message);
}

function unwrap(result, what) {
  if (result && typeof result === 'object' && typeof result.error === 'string') fail(`${what}: ${result.error}`);
  return result;
}

function typeName(v) {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return v.constructor ? v.constructor.name : 'object';
}

function toFloat32(data, what) {
  if (data instanceof Float32Array) return data;
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      if (typeof data[i] !== 'number') fail(`${what}: element ${i} is ${typeName(data[i])}, not a number`);
    }
    return Float32Array.from(data);
  }
  fail(`${what} must be a Float32Array or an array of numbers (got ${typeName(data)})` +
    (ArrayBuffer.isView(data) ? '; convert it with Float32Array.from()' : ''));
}

function checkInt(v, name, min = -Infinity) {
  if (!Number.isInteger(v) || v < min) fail(`${name} must be an integer${min > -Infinity ? ` >= ${min}` : ''} (got ${String(v)})`);
  return v;
}

function checkShape(shape, name) {
  if (!Array.isArray(shape)) fail(`${name} must be an array of non-negative integers (got ${typeName(shape)})`);
  shape.forEach((d, i) => checkInt(d, `${name}[${i}]`, 0));
  return shape;
}

function checkString(v, name, allowed) {
  if (typeof v !== 'string') fail(`${name} must be a string, one of: ${allowed.join(', ')} (got ${typeName(v)})`);
  return v;
}

const QUANTIZE_KEYS = new Set(['shape', 'dtype', 'scheme', 'granularity', 'axis', 'blockSize', 'calibration',
  'percentile', 'bins', 'averagingConstant', 'rounding', 'seed', 'iterations']);

function observerFields(o, prefix) {
  const r = {};
  if (o.bins !== undefined) r.bins = checkInt(o.bins, `${prefix}bins`, 1);
  if (o.percentile !== undefined) {
    if (typeof o.percentile !== 'number' || !Number.isFinite(o.percentile)) fail(`${prefix}percentile must be a number`);
    r.percentile = o.percentile;
  }
  if (o.averagingConstant !== undefined) {
    if (typeof o.averagingConstant !== 'number') fail(`${prefix}averagingConstant must be a number`);
    r.averagingConstant = o.averagingConstant;
  }
  return r;
}

function normalizeQuantizeOptions(length, options) {
  if (options === null || typeof options !== 'object') fail(`quantize: options must be an object (got ${typeName(options)})`);
  for (const key of Object.keys(options)) {
    if (!QUANTIZE_KEYS.has(key)) fail(`quantize: unknown option '${key}' (known: ${[...QUANTIZE_KEYS].join(', ')})`);
  }
  const o = options;
  return {
    shape: o.shape === undefined ? [length] : checkShape(o.shape, 'quantize: shape'),
    dtype: o.dtype === undefined ? 'int8' : checkString(o.dtype, 'quantize: dtype', DTYPES),
    scheme: o.scheme === undefined ? 'affine' : checkString(o.scheme, 'quantize: scheme', SCHEMES),
    granularity: o.granularity === undefined ? 'tensor' : checkString(o.granularity, 'quantize: granularity', GRANULARITIES),
    axis: o.axis === undefined ? 0 : checkInt(o.axis, 'quantize: axis'),
    blockSize: o.blockSize === undefined ? 0 : checkInt(o.blockSize, 'quantize: blockSize'),
    calibration: o.calibration === undefined ? 'minmax' : checkString(o.calibration, 'quantize: calibration', CALIBRATIONS),
    rounding: o.rounding === undefined ? 'nearest' : checkString(o.rounding, 'quantize: rounding', ['nearest', 'stochastic']),
    seed: o.seed === undefined ? 0 : checkInt(o.seed, 'quantize: seed', 0),
    iterations: o.iterations === undefined ? 30 : checkInt(o.iterations, 'quantize: iterations', 0),
    ...observerFields(o, 'quantize: '),
  };
}

const DATA_TYPES = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int4: Uint8Array, uint4: Uint8Array,
  float16: Uint16Array, bfloat16: Uint16Array,
};

/** A loaded wasmq module. Create with `await init()`. */
export class Wasmq {
  constructor(mod, simd) {
    this._m = mod;
    /** true when the SIMD build is running. */
    this.simd = simd;
  }

  /** Quantizes float data; see the README for options and the returned object. */
  quantize(data, options = {}) {
    const x = toFloat32(data, 'quantize: data');
    const opts = normalizeQuantizeOptions(x.length, options);
    return unwrap(this._withFloats(x, (ptr) => this._m.quantize(ptr, x.length, opts)), 'quantize');
  }

  // Copies x into wasm memory (one copy, no zero-fill), calls fn(ptr), frees the copy.
  _withFloats(x, fn) {
    const m = this._m;
    const ptr = m._malloc(Math.max(4, x.byteLength));
    if (!ptr) fail(`out of wasm memory for ${x.length} floats`);
    try {
      m.HEAPF32.set(x, ptr >>> 2);  // HEAPF32 is re-read: malloc may have grown memory
      return fn(ptr);
    } finally {
      m._free(ptr);
    }
  }

  /**
   * Float32Array of the values a quantized tensor represents. Pass `out` (a Float32Array of the
   * tensor's element count) to fill it instead of allocating a new array: for large tensors,
   * allocating the result costs more than dequantizing.
   */
  dequantize(q, out) {
    if (q === null || typeof q !== 'object') fail(`dequantize: expected the object quantize() returns (got ${typeName(q)})`);
    const dtype = checkString(q.dtype, 'dequantize: q.dtype', DTYPES);
    const Expected = DATA_TYPES[dtype];
    if (!Expected) fail(`dequantize: unknown dtype '${dtype}' (expected one of: ${DTYPES.join(', ')})`);
    if (!(q.data instanceof Expected)) {
      fail(`dequantize: q.data must be a ${Expected.name} for dtype '${dtype}' (got ${typeName(q.data)})`);
    }
    const floats = (v, name) => {
      if (v === undefined) return new Float32Array(0);
      if (!(v instanceof Float32Array)) fail(`dequantize: q.${name} must be a Float32Array (got ${typeName(v)})`);
      return v;
    };
    let zp = q.zeroPoint === undefined ? new Int32Array(0) : q.zeroPoint;
    if (!(zp instanceof Int32Array)) fail(`dequantize: q.zeroPoint must be an Int32Array (got ${typeName(zp)})`);
    const arg = {
      dtype,
      scheme: q.scheme === undefined ? 'affine' : checkString(q.scheme, 'dequantize: q.scheme', SCHEMES),
      granularity: q.granularity === undefined ? 'tensor' : checkString(q.granularity, 'dequantize: q.granularity', GRANULARITIES),
      shape: q.shape === undefined ? [q.data.length] : checkShape(q.shape, 'dequantize: q.shape'),
      axis: q.axis === undefined ? 0 : checkInt(q.axis, 'dequantize: q.axis'),
      blockSize: q.blockSize === undefined ? 0 : checkInt(q.blockSize, 'dequantize: q.blockSize'),
      scale: floats(q.scale, 'scale'),
      zeroPoint: zp,
      codebook: floats(q.codebook, 'codebook'),
    };
    const n = arg.shape.reduce((a, b) => a * b, 1);
    if (n > 2 ** 29) fail(`dequantize: ${n} elements do not fit in wasm memory`);
    if (out !== undefined && (!(out instanceof Float32Array) || out.length !== n)) {
      fail(`dequantize: out must be a Float32Array of ${n} elements (got ${typeName(out)}` +
        `${ArrayBuffer.isView(out) ? ` of ${out.length}` : ''})`);
    }
    const bytes = new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength);
    const m = this._m;
    const dataPtr = m._malloc(Math.max(1, bytes.length));
    const outPtr = m._malloc(Math.max(4, n * 4));
    try {
      if (!dataPtr || !outPtr) fail(`dequantize: out of wasm memory for ${n} values`);
      m.HEAPU8.set(bytes, dataPtr);
      unwrap(m.dequantize(arg, dataPtr, bytes.length, outPtr, n), 'dequantize');
      const view = m.HEAPF32.subarray(outPtr >>> 2, (outPtr >>> 2) + n);
      if (out === undefined) return view.slice();
      out.set(view);
      return out;
    } finally {
      m._free(dataPtr);
      m._free(outPtr);
    }
  }

  /** { mse, maxAbsError, sqnrDb, cosine } of approx against reference. */
  metrics(reference, approx) {
    const a = toFloat32(reference, 'metrics: reference');
    const b = toFloat32(approx, 'metrics: approx');
    return unwrap(this._m.metrics(a, b), 'metrics');
  }

  /** Loads an ONNX model (Uint8Array or ArrayBuffer of an .onnx file); call dispose() when done. */
  loadModel(bytes) {
    return loadModelInto(this._m, bytes);
  }

  /** Post-training quantization of a loaded Model: see docs/quantize-model.md. */
  quantizeModel(model, options) {
    return quantizeModelIn(this._m, model, options);
  }

  /** Op types the runtime can execute ("Conv", "com.microsoft.QLinearAdd", ...). */
  supportedOps() {
    return supportedOps(this._m);
  }

  /** A streaming calibration observer; call dispose() when done. */
  createObserver(kind = 'minmax', options = {}) {
    checkString(kind, 'createObserver: kind', CALIBRATIONS);
    if (options === null || typeof options !== 'object') fail('createObserver: options must be an object');
    for (const key of Object.keys(options)) {
      if (!['bins', 'percentile', 'averagingConstant'].includes(key)) {
        fail(`createObserver: unknown option '${key}' (known: bins, percentile, averagingConstant)`);
      }
    }
    const handle = new this._m.Observer();
    const err = handle.init(kind, observerFields(options, 'createObserver: '));
    if (err) {
      handle.delete();
      fail(`createObserver: ${err}`);
    }
    return new Observer(handle, kind);
  }
}

/** Streaming range observer (minmax, moving-average, percentile, mse, entropy). */
export class Observer {
  constructor(handle, kind) {
    this._h = handle;
    this.kind = kind;
  }

  _live(what) {
    if (!this._h) fail(`Observer.${what}: the observer was disposed`);
    return this._h;
  }

  /** Adds a batch of values. */
  observe(data) {
    unwrap(this._live('observe').observe(toFloat32(data, 'Observer.observe: data')), 'Observer.observe');
    return this;
  }

  /** Number of values observed so far. */
  get count() {
    return this._live('count').count();
  }

  /** { scale, zeroPoint, min, max } for a target dtype and scheme. */
  qparams({ dtype = 'int8', scheme = 'affine' } = {}) {
    checkString(dtype, 'Observer.qparams: dtype', DTYPES);
    checkString(scheme, 'Observer.qparams: scheme', SCHEMES);
    return unwrap(this._live('qparams').qparams(dtype, scheme), 'Observer.qparams');
  }

  /** Frees the wasm memory the observer holds. Safe to call twice. */
  dispose() {
    if (this._h) {
      this._h.delete();
      this._h = null;
    }
  }
}
