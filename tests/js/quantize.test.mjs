// JS API of the quantization core: results, defaults, SIMD == scalar, every error case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, simdSupported, DTYPES } from '../../dist/node.mjs';
import { loadBuilds, normal, throwsMessage } from './helpers.mjs';

const { simd, scalar } = await loadBuilds();

test('both builds load and say which one runs', () => {
  assert.equal(simdSupported(), true);
  assert.equal(simd.simd, true);
  assert.equal(scalar.simd, false);
});

test('defaults: int8 affine per tensor, minmax, shape [n]', () => {
  const x = new Float32Array([-1, 0, 0.5, 3]);
  const q = simd.quantize(x);
  assert.equal(q.dtype, 'int8');
  assert.equal(q.scheme, 'affine');
  assert.equal(q.granularity, 'tensor');
  assert.deepEqual(q.shape, [4]);
  assert.ok(q.data instanceof Int8Array);
  assert.ok(q.scale instanceof Float32Array);
  assert.ok(q.zeroPoint instanceof Int32Array);
  assert.equal(q.scale[0], Math.fround(4 / 255));
  assert.equal(q.zeroPoint[0], Math.round(-128 - -1 / Math.fround(4 / 255)));
  const y = simd.dequantize(q);
  assert.ok(y instanceof Float32Array);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) <= q.scale[0] / 2 + 1e-7);
  assert.equal(y[1], 0);
});

test('data arrays have the documented types for every dtype', () => {
  const x = normal(64, 1);
  const want = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int4: Uint8Array, uint4: Uint8Array,
    float16: Uint16Array, bfloat16: Uint16Array };
  for (const dtype of DTYPES) {
    const q = simd.quantize(x, { dtype });
    assert.ok(q.data instanceof want[dtype], dtype);
    assert.equal(q.data.length, dtype.endsWith('int4') ? 32 : 64, dtype);
    const y = simd.dequantize(q);
    const m = simd.metrics(x, y);
    const floor = { int8: 35, uint8: 35, int16: 80, int4: 10, uint4: 10, float16: 60, bfloat16: 40 }[dtype];
    assert.ok(m.sqnrDb > floor, `${dtype}: ${m.sqnrDb} dB`);
  }
});

test('every scheme, granularity and calibration: SIMD and scalar builds give identical results', () => {
  const x = normal(24 * 40, 7, 3);
  const cases = [];
  for (const dtype of ['int8', 'uint8', 'int4', 'uint4', 'int16']) {
    for (const scheme of ['affine', 'symmetric']) {
      for (const calibration of ['minmax', 'moving-average', 'percentile', 'mse', 'entropy']) {
        cases.push({ dtype, scheme, calibration });
      }
      cases.push({ dtype, scheme, granularity: 'channel', shape: [24, 40], axis: 0 });
      cases.push({ dtype, scheme, granularity: 'channel', shape: [24, 40], axis: -1 });
      cases.push({ dtype, scheme, granularity: 'block', shape: [24, 40], axis: 1, blockSize: 16 });
      cases.push({ dtype, scheme, rounding: 'stochastic', seed: 5 });
    }
  }
  cases.push({ dtype: 'int8', scheme: 'log2' }, { dtype: 'int4', scheme: 'log2', granularity: 'channel', shape: [24, 40] });
  cases.push({ dtype: 'int4', scheme: 'kmeans', seed: 3 }, { dtype: 'uint8', scheme: 'kmeans', seed: 3 });
  cases.push({ dtype: 'float16' }, { dtype: 'bfloat16' });
  for (const opts of cases) {
    const a = simd.quantize(x, opts);
    const b = scalar.quantize(x, opts);
    assert.deepEqual(a, b, JSON.stringify(opts));
    assert.deepEqual(simd.dequantize(a), scalar.dequantize(b), JSON.stringify(opts));
  }
});

test('per-channel and per-block scale shapes', () => {
  const x = normal(6 * 10, 2);
  const c = simd.quantize(x, { shape: [6, 10], granularity: 'channel', axis: 0 });
  assert.equal(c.scale.length, 6);
  assert.deepEqual(c.scaleShape, [6]);
  const b = simd.quantize(x, { shape: [6, 10], granularity: 'block', axis: 1, blockSize: 4 });
  assert.deepEqual(b.scaleShape, [6, 3]);
  assert.equal(b.scale.length, 18);
  assert.equal(b.blockSize, 4);
  const neg = simd.quantize(x, { shape: [6, 10], granularity: 'channel', axis: -1 });
  assert.equal(neg.axis, 1);
});

test('kmeans returns a codebook and unsigned codes', () => {
  const x = normal(5000, 3);
  const q = simd.quantize(x, { dtype: 'int4', scheme: 'kmeans', seed: 11 });
  assert.equal(q.dtype, 'uint4');
  assert.equal(q.codebook.length, 16);
  assert.equal(q.scale.length, 0);
  const m = simd.metrics(x, simd.dequantize(q));
  const affine = simd.metrics(x, simd.dequantize(simd.quantize(x, { dtype: 'int4' })));
  assert.ok(m.sqnrDb > affine.sqnrDb, `${m.sqnrDb} vs ${affine.sqnrDb}`);
});

test('plain arrays are accepted as data', () => {
  const q = simd.quantize([0, 1, 2, 3], { dtype: 'uint8' });
  assert.equal(q.data[3], 255);
});

test('metrics', () => {
  const m = simd.metrics(new Float32Array([1, 2, 3]), new Float32Array([1, 2, 4]));
  assert.equal(m.mse, 1 / 3);
  assert.equal(m.maxAbsError, 1);
  assert.ok(Math.abs(m.sqnrDb - 10 * Math.log10(14)) < 1e-9);
  assert.ok(Math.abs(m.cosine - 17 / Math.sqrt(14 * 21)) < 1e-12);
  assert.equal(simd.metrics([1, 2], [1, 2]).sqnrDb, Infinity);
});

test('observers: streaming batches, qparams, dispose', () => {
  const x = normal(10000, 4);
  const obs = simd.createObserver('minmax');
  for (let i = 0; i < x.length; i += 1000) obs.observe(x.subarray(i, i + 1000));
  assert.equal(obs.count, 10000);
  const p = obs.qparams({ dtype: 'int8', scheme: 'affine' });
  const q = simd.quantize(x);
  assert.equal(p.scale, q.scale[0]);
  assert.equal(p.zeroPoint, q.zeroPoint[0]);
  obs.dispose();
  obs.dispose();
  throwsMessage(() => obs.observe(x), /disposed/);
  for (const kind of ['moving-average', 'percentile', 'mse', 'entropy']) {
    const o = simd.createObserver(kind, { bins: 1024 });
    o.observe(x);
    const r = o.qparams({ dtype: 'int4', scheme: 'symmetric' });
    assert.ok(r.scale > 0 && r.max <= Math.max(...x) + 1e-6, kind);
    o.dispose();
  }
});

test('errors name the bad argument and leave the module usable', () => {
  const x = new Float32Array([1, 2, 3, 4]);
  throwsMessage(() => simd.quantize(x, { dtype: 'int3' }), /unknown dtype 'int3'.*int8/);
  throwsMessage(() => simd.quantize(x, { scheme: 'cubic' }), /unknown scheme 'cubic'/);
  throwsMessage(() => simd.quantize(x, { granularity: 'row' }), /unknown granularity 'row'/);
  throwsMessage(() => simd.quantize(x, { calibration: 'kl' }), /unknown calibration 'kl'/);
  throwsMessage(() => simd.quantize(x, { rounding: 'up' }), /unknown rounding 'up'/);
  throwsMessage(() => simd.quantize(x, { dtype: 8 }), /dtype must be a string/);
  throwsMessage(() => simd.quantize(x, { shape: [3] }), /shape \[3\] has 3 elements but the data has 4/);
  throwsMessage(() => simd.quantize(x, { shape: [2, -2] }), /shape\[1\] must be an integer >= 0/);
  throwsMessage(() => simd.quantize(x, { shape: 'x' }), /shape must be an array/);
  throwsMessage(() => simd.quantize(x, { shape: [2, 2], granularity: 'channel', axis: 2 }), /axis 2 is out of range/);
  throwsMessage(() => simd.quantize(x, { granularity: 'block', blockSize: 0 }), /blockSize must be a positive integer/);
  throwsMessage(() => simd.quantize(x, { granularity: 'block', blockSize: 1.5 }), /blockSize must be an integer/);
  throwsMessage(() => simd.quantize(x, { blocksize: 4 }), /unknown option 'blocksize'/);
  throwsMessage(() => simd.quantize(x, { dtype: 'int16', scheme: 'kmeans' }), /not int16/);
  throwsMessage(() => simd.quantize(x, { dtype: 'uint8', scheme: 'log2' }), /signed dtype/);
  throwsMessage(() => simd.quantize(x, { scheme: 'log2', rounding: 'stochastic' }), /stochastic/);
  throwsMessage(() => simd.quantize(x, { calibration: 'percentile', percentile: 20 }), /percentile must be in/);
  throwsMessage(() => simd.quantize(x, { calibration: 'entropy', bins: 7 }), /bins/);
  throwsMessage(() => simd.quantize(x, { seed: -1 }), /seed must be an integer >= 0/);
  throwsMessage(() => simd.quantize(new Float32Array([1, NaN])), /NaN at index 1/);
  throwsMessage(() => simd.quantize(new Float32Array([Infinity]), { scheme: 'kmeans' }), /Inf at index 0/);
  throwsMessage(() => simd.quantize(new Float64Array(4)), /Float32Array.*got Float64Array.*Float32Array\.from/);
  throwsMessage(() => simd.quantize('1,2,3'), /Float32Array or an array of numbers \(got string\)/);
  throwsMessage(() => simd.quantize([1, 'a']), /element 1 is string/);
  throwsMessage(() => simd.quantize(x, null), /options must be an object/);
  // dequantize validates what it is given.
  const q = simd.quantize(x);
  throwsMessage(() => simd.dequantize(null), /expected the object quantize\(\) returns/);
  throwsMessage(() => simd.dequantize({ ...q, data: new Uint8Array(4) }), /q.data must be a Int8Array for dtype 'int8'/);
  throwsMessage(() => simd.dequantize({ ...q, data: new Int8Array(3) }), /data has 3 bytes but a int8 tensor of 4 elements needs 4/);
  throwsMessage(() => simd.dequantize({ ...q, scale: new Float32Array(2) }), /scale has 2 values, expected 1/);
  throwsMessage(() => simd.dequantize({ ...q, scale: [1] }), /q.scale must be a Float32Array/);
  throwsMessage(() => simd.dequantize({ ...q, zeroPoint: new Int32Array([999]) }), /outside the int8 range/);
  throwsMessage(() => simd.dequantize({ ...q, dtype: 'int9' }), /dtype/);
  throwsMessage(() => simd.dequantize(q, new Float32Array(3)), /out must be a Float32Array of 4 elements \(got Float32Array of 3\)/);
  throwsMessage(() => simd.dequantize(q, [0, 0, 0, 0]), /out must be a Float32Array of 4 elements \(got Array\)/);
  const out = new Float32Array(4);
  assert.equal(simd.dequantize(q, out), out);
  assert.deepEqual(out, simd.dequantize(q));
  throwsMessage(() => simd.metrics(x, new Float32Array(3)), /reference has 4 values but approx has 3/);
  throwsMessage(() => simd.metrics([], []), /at least one value/);
  throwsMessage(() => simd.createObserver('kl'), /kind must be|unknown calibration 'kl'/);
  throwsMessage(() => simd.createObserver('minmax', { bin: 3 }), /unknown option 'bin'/);
  const o = simd.createObserver('entropy');
  throwsMessage(() => o.qparams(), /seen no data/);
  throwsMessage(() => o.observe(new Float32Array([NaN])), /NaN or Inf at index 0/);
  o.dispose();
  // Still works after all of that.
  assert.deepEqual(simd.dequantize(simd.quantize(x, { dtype: 'int16', scheme: 'symmetric' })).length, 4);
});

test('many failing calls do not leak wasm memory', () => {
  const x = new Float32Array([1, NaN]);
  const before = simd._m.HEAPU8.length;
  for (let i = 0; i < 20000; i++) {
    try { simd.quantize(x); } catch { /* expected */ }
  }
  assert.equal(simd._m.HEAPU8.length, before);
  assert.equal(simd.quantize(new Float32Array([1, 2])).data.length, 2);
});

test('init options are checked', async () => {
  await assert.rejects(init(5), /options must be an object/);
  await assert.rejects(init({ wasmBinary: new Uint8Array([1, 2, 3]), simd: true }), /could not load wasmq-simd.wasm/);
});
