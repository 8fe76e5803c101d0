// Compact binary container for passing named tensors and a JSON header between processes:
// 'WQT1' | u32 LE header length | header JSON | padding to 8 | tensor bytes (each 8-aligned, LE).

const MAGIC = 'WQT1';

/** dtype name (onnxruntime's) → typed array constructor. bool is Uint8Array, float16 raw Uint16Array bits. */
export const TYPED = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array, float16: Uint16Array,
};

/** dtype of a typed array when the caller gave none. */
export function dtypeOf(data) {
  for (const [name, T] of Object.entries(TYPED)) if (data instanceof T) return name;
  throw new Error(`unsupported tensor data: ${Object.prototype.toString.call(data)} (use a typed array)`);
}

/**
 * Checks and normalizes a tensor map { name: { data, dims, dtype? } } (data a typed array, or a
 * plain array of numbers for float32). Throws an Error naming the tensor when something is off.
 */
export function normalizeTensors(tensors, what = 'feeds') {
  if (!tensors || typeof tensors !== 'object') throw new Error(`${what}: expected { name: { data, dims } }`);
  const out = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!t || typeof t !== 'object' || !('data' in t) || !Array.isArray(t.dims)) {
      throw new Error(`${what}.${name}: expected { data, dims, dtype? }`);
    }
    const data = Array.isArray(t.data) ? Float32Array.from(t.data) : t.data;
    const dtype = t.dtype ?? dtypeOf(data);
    const T = TYPED[dtype];
    if (!T) throw new Error(`${what}.${name}: unsupported dtype '${dtype}' (supported: ${Object.keys(TYPED).join(', ')})`);
    if (!(data instanceof T)) throw new Error(`${what}.${name}: dtype '${dtype}' needs a ${T.name}, got ${data?.constructor?.name}`);
    const dims = t.dims.map(Number);
    const n = dims.reduce((a, b) => a * b, 1);
    if (dims.some((d) => !Number.isInteger(d) || d < 0) || n !== data.length) {
      throw new Error(`${what}.${name}: dims [${t.dims}] hold ${n} elements but data has ${data.length}`);
    }
    out[name] = { data, dims, dtype };
  }
  return out;
}

/** Encodes { meta, tensors } into one Buffer. */
export function encodeMessage(meta, tensors = {}) {
  const list = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const byteLength = t.data.byteLength;
    list.push({ name, dtype: t.dtype, dims: t.dims, offset, byteLength });
    offset += Math.ceil(byteLength / 8) * 8;
  }
  const header = Buffer.from(JSON.stringify({ meta, tensors: list }), 'utf8');
  const start = Math.ceil((8 + header.length) / 8) * 8;
  const out = Buffer.alloc(start + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  const names = Object.keys(tensors);
  list.forEach((e, i) => {
    const d = tensors[names[i]].data;
    Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(out, start + e.offset);
  });
  return out;
}

/** Decodes a Buffer made by encodeMessage: { meta, tensors: { name: { data, dims, dtype } } }. */
export function decodeMessage(buf) {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) throw new Error('peer message: bad magic');
  const hlen = buf.readUInt32LE(4);
  const { meta, tensors: list } = JSON.parse(buf.toString('utf8', 8, 8 + hlen));
  const start = Math.ceil((8 + hlen) / 8) * 8;
  const tensors = {};
  for (const e of list) {
    const T = TYPED[e.dtype];
    if (!T) throw new Error(`peer message: unsupported dtype '${e.dtype}' for ${e.name}`);
    const bytes = new Uint8Array(e.byteLength);
    bytes.set(buf.subarray(start + e.offset, start + e.offset + e.byteLength));
    tensors[e.name] = { data: new T(bytes.buffer, 0, e.byteLength / T.BYTES_PER_ELEMENT), dims: e.dims, dtype: e.dtype };
  }
  return { meta, tensors };
}
