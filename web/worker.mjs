// Module Web Worker of the playground: loads wasmq (SIMD or scalar), makes the data, quantizes it and summarises the result.
// Import maps do not apply inside workers, so wasmq is imported by its served URL.
import { init, simdSupported } from '/dist/index.mjs';
import { generate, histogram, distinctLevels, quantizedBytes, fingerprint, range } from './data.mjs';

const HISTOGRAM_BINS = 120;

/** One promise per build, created on first use: { simd: Promise<Wasmq>, scalar: Promise<Wasmq> }. */
const builds = {};

/** The SIMD build where supported, unless forceScalar. */
function load(forceScalar) {
  const simd = !forceScalar && simdSupported();
  const key = simd ? 'simd' : 'scalar';
  if (!builds[key]) {
    builds[key] = init({ simd }).catch((e) => {
      delete builds[key]; // let a later request retry
      throw e;
    });
  }
  return builds[key];
}

function message(e) {
  return e && e.message ? e.message : String(e);
}

function dataOf(source) {
  if (source.kind === 'distribution') return generate(source.distribution, { seed: source.seed, size: source.size });
  if (source.kind === 'values') return source.values;
  throw new Error(`unknown data source '${source.kind}'`);
}

async function run({ source, options, forceScalar }) {
  const wq = await load(forceScalar);
  const x = dataOf(source);
  const t0 = performance.now();
  const q = wq.quantize(x, options);
  const t1 = performance.now();
  const y = wq.dequantize(q);
  const t2 = performance.now();
  const metrics = wq.metrics(x, y);
  const { min, max } = range(x);
  const hist = histogram(x, HISTOGRAM_BINS, min, max);
  const levels = distinctLevels(y);
  const bytes = quantizedBytes(q);
  return {
    simd: wq.simd,
    n: x.length,
    fingerprint: fingerprint(x),
    min,
    max,
    metrics,
    q: {
      dtype: q.dtype,
      scheme: q.scheme,
      granularity: q.granularity,
      shape: q.shape,
      axis: q.axis,
      blockSize: q.blockSize,
      scaleShape: q.scaleShape,
      scale: q.scale,
      zeroPoint: q.zeroPoint,
      codebook: q.codebook,
    },
    bytes: { original: x.byteLength, ...bytes },
    timeMs: { quantize: t1 - t0, dequantize: t2 - t1 },
    histogram: hist,
    levels,
  };
}

self.onmessage = async ({ data: req }) => {
  try {
    if (req.type === 'init') {
      const wq = await load(req.forceScalar);
      self.postMessage({ id: req.id, ok: true, result: { simd: wq.simd } });
    } else if (req.type === 'quantize') {
      self.postMessage({ id: req.id, ok: true, result: await run(req) });
    } else {
      throw new Error(`unknown request type '${req.type}'`);
    }
  } catch (e) {
    self.postMessage({ id: req.id, ok: false, error: message(e) });
  }
};
