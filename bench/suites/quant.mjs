// Quantize/dequantize throughput, SIMD vs scalar build in the same run: inside wasm (C++ driver
// of each build) and through the JS API (copies in and out included). Options: --quick.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { init } from '../../dist/node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const quick = process.argv.includes('--quick');
const emit = (o) => console.log(JSON.stringify({ suite: 'quant', ...o }));

// 1. Inside wasm: the C++ driver of each build.
const rows = [];
for (const build of ['simd', 'scalar']) {
  const driver = path.join(root, `build/wasm-${build}/wasmq_bench.cjs`);
  if (!existsSync(driver)) {
    console.error(`${driver} is missing: run npm run build first`);
    process.exit(1);
  }
  const r = spawnSync(process.execPath, [driver, '--suite', 'quant', ...(quick ? ['--quick'] : [])], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(1);
  }
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const o = JSON.parse(line);
    rows.push(o);
    console.log(line);
  }
}
for (const s of rows.filter((o) => o.build === 'simd' && o.n)) {
  const t = rows.find((o) => o.build === 'scalar' && o.op === s.op && o.dtype === s.dtype && o.n === s.n);
  if (t) emit({ op: s.op, dtype: s.dtype, n: s.n, where: 'wasm', simdOverScalar: +(s.melems / t.melems).toFixed(2) });
}

// 2. Through the JS API.
function median(fn, seconds) {
  for (let i = 0; i < 3; i++) fn();
  const t = [];
  const end = performance.now() + seconds * 1000;
  while (t.length < 5 || performance.now() < end) {
    const a = performance.now();
    fn();
    t.push(performance.now() - a);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1] / 1000;
}
const wq = { simd: await init({ simd: true }), scalar: await init({ simd: false }) };
const sizes = quick ? [1 << 20] : [1 << 20, 1 << 24];
for (const n of sizes) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i * 7919) % 10007) / 10007 * 8 - 3;
  for (const [dtype, opts] of [['int8', {}], ['int4', { dtype: 'int4', scheme: 'symmetric', granularity: 'block',
    blockSize: 32, shape: [n / 1024, 1024], axis: 1 }]]) {
    const rate = {};
    for (const build of ['simd', 'scalar']) {
      let q;
      const out = new Float32Array(n);  // reused: measures dequantizing, not allocating 4n bytes
      const tq = median(() => { q = wq[build].quantize(x, opts); }, quick ? 0.2 : 1);
      const td = median(() => wq[build].dequantize(q, out), quick ? 0.2 : 1);
      rate[build] = { q: n / tq * 1e-6, d: n / td * 1e-6 };
      emit({ op: 'quantize', dtype, n, build, where: 'js-api', melems: +rate[build].q.toFixed(1) });
      emit({ op: 'dequantize', dtype, n, build, where: 'js-api', melems: +rate[build].d.toFixed(1) });
    }
    emit({ op: 'quantize', dtype, n, where: 'js-api', simdOverScalar: +(rate.simd.q / rate.scalar.q).toFixed(2) });
    emit({ op: 'dequantize', dtype, n, where: 'js-api', simdOverScalar: +(rate.simd.d / rate.scalar.d).toFixed(2) });
  }
}
