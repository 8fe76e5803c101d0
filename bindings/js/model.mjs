// JS side of the ONNX model runtime: loadModel(mod, bytes) on an initialized Embind module, a
// Model with inputs/outputs descriptions, run(feeds) with feed checks that name the input, and
// dispose(). Model bytes and feeds are copied straight into wasm memory; outputs are copied out.

const TYPED = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

function fail(message) {
  throw new Error(message);
}

function typeName(v) {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return v.constructor ? v.constructor.name : 'object';
}

function unwrap(result, what) {
  if (result && typeof result === 'object' && typeof result.error === 'string') fail(`${what}: ${result.error}`);
  return result;
}

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((handle) => { try { handle.delete(); } catch { /* already freed */ } })
  : null;

/**
 * Loads an ONNX model (Uint8Array or ArrayBuffer of an .onnx file) into the initialized Embind
 * module `mod`. Throws an Error naming the problem for malformed or unsupported models.
 */
export async function loadModel(mod, bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) fail(`loadModel: bytes must be a Uint8Array or ArrayBuffer (got ${typeName(bytes)})`);
  if (!mod || typeof mod.ModelHandle !== 'function') fail('loadModel: the wasm module has no model runtime (ModelHandle)');
  const handle = new mod.ModelHandle();
  const ptr = mod._malloc(Math.max(1, bytes.length));
  let info;
  try {
    if (!ptr) fail(`loadModel: cannot allocate ${bytes.length} bytes of wasm memory for the model`);
    mod.HEAPU8.set(bytes, ptr);  // HEAPU8 re-read after malloc: memory may have grown
    info = handle.load(ptr, bytes.length);
  } catch (e) {
    handle.delete();
    throw e;
  } finally {
    if (ptr) mod._free(ptr);
  }
  if (info && typeof info.error === 'string') {
    handle.delete();
    fail(`loadModel: ${info.error}`);
  }
  const model = new Model(mod, handle, info);
  // A copy of the bytes, for quantizeModel(model): the runtime does not keep the protobuf.
  Object.defineProperty(model, '_bytes', { value: bytes.slice(), enumerable: false });
  return model;
}

// Copies bytes into wasm memory for the duration of fn(ptr, length).
function withBytes(mod, bytes, fn) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array or ArrayBuffer (got ${typeName(bytes)})`);
  const ptr = mod._malloc(Math.max(1, bytes.length));
  if (!ptr) fail(`cannot allocate ${bytes.length} bytes of wasm memory`);
  try {
    mod.HEAPU8.set(bytes, ptr);
    return fn(ptr, bytes.length);
  } finally {
    mod._free(ptr);
  }
}

/** Decodes a serialized ONNX TensorProto: { name, dtype, dims, data } (data: typed array). */
export function decodeTensorProto(mod, bytes) {
  const r = unwrap(withBytes(mod, bytes, (p, n) => mod.modelDecodeTensor(p, n)), 'decodeTensorProto');
  const Ctor = TYPED[r.dtype];
  const b = r.bytes;
  return { name: r.name, dtype: r.dtype, dims: r.dims, data: new Ctor(b.buffer, b.byteOffset, b.byteLength / Ctor.BYTES_PER_ELEMENT) };
}

/** [{ domain, opType }] of a model's nodes (decodes only; does not check support). */
export function modelOpTypes(mod, bytes) {
  return unwrap(withBytes(mod, bytes, (p, n) => mod.modelOpTypes(p, n)), 'modelOpTypes');
}

/** Sorted list of the ONNX op types (default domain) the runtime implements. */
export function supportedOps(mod) {
  return mod.modelSupportedOps();
}

/** A loaded model. Call dispose() when done (frees its wasm memory). */
export class Model {
  constructor(mod, handle, info) {
    this._m = mod;
    this._h = handle;
    /** [{ name, dtype, dims }]: dims entries are null when dynamic (dims null when unknown). */
    this.inputs = Object.freeze(info.inputs.map((x) => Object.freeze(x)));
    this.outputs = Object.freeze(info.outputs.map((x) => Object.freeze(x)));
    registry?.register(this, handle, this);
  }

  _live(what) {
    if (!this._h) fail(`Model.${what}: the model was disposed`);
    return this._h;
  }

  /**
   * Runs the model. feeds: { [inputName]: { data: TypedArray, dims: number[] } }.
   * Returns { [outputName]: { data, dims, dtype } } (copies, valid after later runs).
   */
  async run(feeds) {
    return this.runSync(feeds);
  }

  /** Synchronous run(), for benchmarks and workers. */
  runSync(feeds) {
    const h = this._live('run');
    if (feeds === null || typeof feeds !== 'object') fail(`run: feeds must be an object mapping input names to { data, dims } (got ${typeName(feeds)})`);
    const names = new Set(this.inputs.map((i) => i.name));
    for (const key of Object.keys(feeds)) {
      if (!names.has(key)) fail(`run: unknown input '${key}' (model inputs: ${[...names].join(', ')})`);
    }
    this.inputs.forEach((input, index) => this._stage(h, input, index, feeds[input.name]));
    const outs = unwrap(h.run(), 'run');
    const heap = this._m.HEAPU8.buffer;  // re-read after run: memory may have grown
    const result = {};
    this.outputs.forEach((o, i) => {
      const r = outs[i];
      const Ctor = TYPED[r.dtype];
      if (!Ctor) fail(`run: output '${o.name}' has unsupported dtype ${r.dtype}`);
      const n = r.dims.reduce((a, b) => a * b, 1);
      result[o.name] = { data: new Ctor(heap, r.ptr, n).slice(), dims: r.dims, dtype: r.dtype };
    });
    return result;
  }

  _stage(h, input, index, feed) {
    const what = `run: input '${input.name}'`;
    if (feed === undefined) fail(`${what} is missing (expected { data, dims })`);
    if (feed === null || typeof feed !== 'object') fail(`${what} must be { data, dims } (got ${typeName(feed)})`);
    const { data, dims } = feed;
    const Ctor = TYPED[input.dtype];
    if (!Ctor) fail(`${what} has dtype ${input.dtype}, which this API cannot feed`);
    if (!(data instanceof Ctor)) {
      fail(`${what}: data must be a ${Ctor.name} for dtype ${input.dtype} (got ${typeName(data)})`);
    }
    if (!Array.isArray(dims)) fail(`${what}: dims must be an array of non-negative integers (got ${typeName(dims)})`);
    dims.forEach((d, i) => {
      if (!Number.isInteger(d) || d < 0) fail(`${what}: dims[${i}] must be a non-negative integer (got ${String(d)})`);
    });
    if (input.dims) {
      if (dims.length !== input.dims.length) {
        fail(`${what}: expected rank ${input.dims.length} ([${input.dims.map((d) => (d === null ? '?' : d)).join(', ')}]), got dims [${dims.join(', ')}]`);
      }
      input.dims.forEach((d, i) => {
        if (d !== null && dims[i] !== d) fail(`${what}: dims[${i}] must be ${d}, got ${dims[i]}`);
      });
    }
    const n = dims.reduce((a, b) => a * b, 1);
    if (data.length !== n) fail(`${what}: data has ${data.length} elements but dims [${dims.join(', ')}] need ${n}`);
    const r = unwrap(h.stage(index, input.dtype, dims), 'run');
    if (n > 0) new Ctor(this._m.HEAPU8.buffer, r.ptr, n).set(data);
  }

  /** Turns per-node timing on (clearing the totals) or off; read it with profile(). */
  setProfiling(on) {
    this._live('setProfiling').setProfiling(!!on);
  }

  /** Per executed node, in run order: [{ node, opType, ms, runs }] totals since setProfiling(true). */
  profile() {
    return this._live('profile').profile();
  }

  /** Bytes of the planned activation arena (introspection). */
  get arenaBytes() {
    return this._live('arenaBytes').arenaBytes();
  }

  /** Frees the model's wasm memory. Safe to call twice. */
  dispose() {
    if (this._h) {
      registry?.unregister(this);
      this._h.delete();
      this._h = null;
    }
  }
}
