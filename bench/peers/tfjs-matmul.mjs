// Peer benchmark: tfjs-backend-wasm (XNNPACK, SIMD, one thread) float32 matMul on the square GEMM
// shapes of bench_gemm.cc. Prints {"suite":"gemm","kernel":"tfjs-f32",...} JSON lines.
// Usage: node bench/peers/tfjs-matmul.mjs [--quick]. Run in its own process (bench/suites/kernels.mjs).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
const tw = require('@tensorflow/tfjs-backend-wasm');

const quick = process.argv.includes('--quick');
const minSeconds = quick ? 0.05 : 0.3;
const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));

tw.setThreadsCount(1);
tw.setWasmPaths({
  'tfjs-backend-wasm.wasm': path.join(dist, 'tfjs-backend-wasm.wasm'),
  'tfjs-backend-wasm-simd.wasm': path.join(dist, 'tfjs-backend-wasm-simd.wasm'),
  'tfjs-backend-wasm-threaded-simd.wasm': path.join(dist, 'tfjs-backend-wasm-threaded-simd.wasm'),
});
// Node 20's global fetch cannot read file paths; the Emscripten loader then reads the file itself.
globalThis.fetch = undefined;
if (!(await tf.setBackend('wasm'))) {
  console.error('tfjs wasm backend failed to initialise');
  process.exit(1);
}
await tf.ready();
const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
const threads = tw.getThreadsCount();

// Median seconds per call after a warm-up, like bench/cpp/main.cc's median_seconds.
function medianSeconds(fn) {
  const w0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - w0 < 200 * minSeconds; ++i) fn();
  const t = [];
  const t0 = performance.now();
  while (t.length < 5 || (performance.now() - t0) / 1e3 < minSeconds) {
    const a = performance.now();
    fn();
    t.push((performance.now() - a) / 1e3);
  }
  t.sort((x, y) => x - y);
  return t[t.length >> 1];
}

const sizes = quick ? [64, 256] : [64, 128, 256, 512, 1024];
for (const s of sizes) {
  const a = tf.randomUniform([s, s], -0.5, 0.5);
  const b = tf.randomUniform([s, s], -0.5, 0.5);
  // The product is computed when matMul returns (the wasm backend runs kernels eagerly); it is
  // disposed without reading it back, so the figure is the GEMM (XNNPACK fully-connected) only.
  const sec = medianSeconds(() => tf.matMul(a, b).dispose());
  console.log(JSON.stringify({ suite: 'gemm', kernel: 'tfjs-f32', impl: `tfjs-backend-wasm ${tf.version_core} simd=${simd} threads=${threads}`, m: s, n: s, k: s, gops: +(2 * s * s * s / sec * 1e-9).toPrecision(6) }));
  a.dispose();
  b.dispose();
}
