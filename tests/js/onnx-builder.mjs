// Test helper: a dependency-free protobuf encoder for ONNX ModelProto/TensorProto bytes (field
// numbers from onnx.proto), so JS tests build models in code instead of committing binaries.

export const F32 = 1;
export const U8 = 2;
export const I8 = 3;
export const I16 = 5;
export const I32 = 6;
export const I64 = 7;
export const BOOL = 9;
export const F16 = 10;
export const F64 = 11;

export class Pb {
  constructor() {
    this.bytes = [];
  }

  rawVarint(v) {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      this.bytes.push(b);
    } while (x);
    return this;
  }

  key(field, wire) {
    return this.rawVarint((field << 3) | wire);
  }

  varint(field, v) {
    return this.key(field, 0).rawVarint(v);
  }

  len(field, data) {
    const b = data instanceof Pb ? data.bytes : typeof data === 'string' ? [...new TextEncoder().encode(data)] : [...data];
    this.key(field, 2).rawVarint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  f32(field, v) {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.key(field, 5);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  packed(field, values) {
    const p = new Pb();
    for (const v of values) p.rawVarint(v);
    return this.len(field, p);
  }

  raw(bytes) {
    for (const x of bytes) this.bytes.push(x);
    return this;
  }

  toUint8Array() {
    return Uint8Array.from(this.bytes);
  }
}

const RAW = { [F32]: Float32Array, [F64]: Float64Array, [I64]: BigInt64Array, [I32]: Int32Array, [U8]: Uint8Array,
  [I8]: Int8Array, [I16]: Int16Array, [BOOL]: Uint8Array, [F16]: Uint16Array };

/** TensorProto with raw_data. values: a plain array (BigInts or numbers for int64). */
export function tensor(name, elem, dims, values) {
  const t = new Pb();
  for (const d of dims) t.varint(1, d);
  t.varint(2, elem).len(8, name);
  const Ctor = RAW[elem];
  const arr = elem === I64 ? BigInt64Array.from(values, (v) => BigInt(v)) : Ctor.from(values);
  t.len(9, new Uint8Array(arr.buffer));
  return t;
}

export const attrInt = (name, v) => new Pb().len(1, name).varint(20, 2).varint(3, v);
export const attrInts = (name, v) => new Pb().len(1, name).varint(20, 7).packed(8, v);
export const attrFloat = (name, v) => new Pb().len(1, name).varint(20, 1).f32(2, v);
export const attrString = (name, v) => new Pb().len(1, name).varint(20, 3).len(4, v);

export function node(op, inputs, outputs, attrs = [], name = `${op}_${outputs[0] ?? ''}`) {
  const n = new Pb();
  for (const s of inputs) n.len(1, s);
  for (const s of outputs) n.len(2, s);
  n.len(3, name).len(4, op);
  for (const a of attrs) n.len(5, a);
  return n;
}

/** ValueInfoProto; a string dim becomes a dim_param, a number a dim_value. */
export function valueInfo(name, elem, dims) {
  const shape = new Pb();
  for (const d of dims) shape.len(1, typeof d === 'string' ? new Pb().len(2, d) : new Pb().varint(1, d));
  const tt = new Pb().varint(1, elem).len(2, shape);
  return new Pb().len(1, name).len(2, new Pb().len(1, tt));
}

export function graph({ nodes = [], inputs = [], outputs = [], initializers = [], name = 'g' }) {
  const g = new Pb();
  for (const n of nodes) g.len(1, n);
  g.len(2, name);
  for (const t of initializers) g.len(5, t);
  for (const i of inputs) g.len(11, i);
  for (const o of outputs) g.len(12, o);
  return g;
}

/** ModelProto bytes (Uint8Array). */
export function model(graphSpec, opset = 13) {
  const m = new Pb();
  m.varint(1, 8).len(2, 'wasmq-test').len(7, graph(graphSpec)).len(8, new Pb().len(1, '').varint(2, opset));
  return m.toUint8Array();
}
