// Quantizes one weight-like tensor in several formats with wasmq in Node and prints the error and size of each.
// Run after the build: node examples/quantize-tensor.mjs
import { init } from 'wasmq'; // this package's own exports map: dist/node.mjs in Node

const wq = await init();
console.log(`wasmq on the ${wq.simd ? 'SIMD' : 'scalar'} build`);

// A [64, 256] "weight matrix": rows of different scale, like the output channels of a layer.
const rows = 64;
const cols = 256;
const weights = new Float32Array(rows * cols);
let state = 12345;
const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
for (let r = 0; r < rows; r++) {
  const rowScale = 0.02 + 0.2 * rand();
  for (let c = 0; c < cols; c++) weights[r * cols + c] = rowScale * (rand() + rand() + rand() - 1.5);
}

const configs = [
  { dtype: 'int8', scheme: 'affine' },
  { dtype: 'int8', scheme: 'symmetric', granularity: 'channel', axis: 0 },
  { dtype: 'int8', scheme: 'symmetric', calibration: 'percentile', percentile: 99.9 },
  { dtype: 'int4', scheme: 'symmetric', granularity: 'block', axis: 1, blockSize: 32 },
  { dtype: 'int4', scheme: 'kmeans' },
  { dtype: 'float16' },
];

const rowsOut = configs.map((options) => {
  const q = wq.quantize(weights, { shape: [rows, cols], ...options });
  const m = wq.metrics(weights, wq.dequantize(q));
  const bytes = q.data.byteLength + q.scale.byteLength + q.zeroPoint.byteLength + (q.codebook?.byteLength ?? 0);
  const { shape, ...shown } = options;
  return {
    config: Object.entries(shown).map(([k, v]) => `${k}=${v}`).join(' '),
    'SQNR dB': Number(m.sqnrDb.toFixed(2)),
    'max |err|': Number(m.maxAbsError.toPrecision(3)),
    cosine: Number(m.cosine.toFixed(6)),
    bytes,
    ratio: Number((weights.byteLength / bytes).toFixed(2)),
  };
});
console.table(rowsOut);
