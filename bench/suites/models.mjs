// End-to-end single-thread latency of the real models (tests/fixtures/models.mjs): wasmq float
// (and int8 when the quantization API exists) against onnxruntime-web and onnxruntime-node, each
// engine in its own process; ratio lines from the same run; gzipped download sizes.
// Options: --quick (the cls model, short runs: < 30 s), --models id,id, --no-node, --processes N.
// Each engine is timed in N fresh processes (default 3, --quick 1) and its fastest process's median
// is kept: on this shared VM a whole process sometimes runs 1.3-1.7x slower (every engine alike,
// nothing else running), which one process per engine would turn into a wrong ratio.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS, calibrationFeeds, modelBytes, modelPath, naturalFeeds, randomFeeds } from '../../tests/fixtures/models.mjs';
import { timeOrtDetailed } from '../../tests/peers/ort.mjs';
import { gzipSize, ortWebPageFiles } from '../peers/size.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const emit = (o) => console.log(JSON.stringify({ suite: 'models', ...o }));
const TIMING = quick ? { warmupMs: 1500, warmup: 3, runs: 7 } : { warmupMs: 1500, warmup: 5, runs: 25 };
const PROCESSES = Math.max(1, Number(opt('--processes') ?? (quick ? 1 : 3)));
// The fastest of `n` timings (each from its own process), with every process's median listed.
async function fastestOf(n, time) {
  let best = null;
  const medians = [];
  for (let i = 0; i < n; i++) {
    const t = await time(i);
    medians.push(+t.ms.toFixed(4));
    if (!best || t.ms < best.ms) best = t;
  }
  return { ...best, processMedians: medians };
}

function feedsFor(id) {
  return MODELS[id].preprocess ? naturalFeeds(id, { index: 0 }) : randomFeeds(id, { seed: 1 });
}

// ---- child: time wasmq on one model (f32, then int8 when wq.quantizeModel exists) ----
// One call per timed sample, as tests/peers/ort-child.mjs times onnxruntime: for the microsecond
// wake-word heads this leaves output allocation/GC between samples on both sides (docs/runtime.md).
async function timeRuns(fn, { warmupMs, warmup, runs }) {
  const t0 = performance.now();
  let done = 0;
  while (done < warmup || performance.now() - t0 < warmupMs) {
    await fn();
    ++done;
  }
  const times = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await fn();
    times.push(performance.now() - a);
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1], min: times[0], warmupRuns: done };
}

async function child(id, timing) {
  const { init } = await import(path.join(root, 'dist/node.mjs'));
  const { loadModel } = await import(path.join(root, 'bindings/js/model.mjs'));
  const wq = await init();
  const load = (bytes) => (typeof wq.loadModel === 'function' ? wq.loadModel(bytes) : loadModel(wq._m, bytes));
  const feeds = feedsFor(id);
  const out = [];
  const t0 = performance.now();
  const model = await load(modelBytes(id));
  const loadMs = performance.now() - t0;
  const r = await timeRuns(() => model.run(feeds), timing);
  out.push({ engine: 'wasmq-f32', simd: wq.simd, loadMs, ...r });
  if (typeof wq.quantizeModel === 'function') {
    try {
      const calibrationData = calibrationFeeds(id, { count: quick ? 2 : 8 });
      const qm = await wq.quantizeModel(model, {
        mode: 'static', weights: { dtype: 'int8', granularity: 'channel' },
        activations: { dtype: 'int8', calibration: 'minmax' }, calibrationData,
      });
      const q = await timeRuns(() => qm.run(feeds), timing);
      out.push({ engine: 'wasmq-int8', ...q });
      if (typeof qm.toOnnx === 'function') {
        const dir = mkdtempSync(path.join(tmpdir(), 'wasmq-qdq-'));
        const file = path.join(dir, `${id}-qdq.onnx`);
        writeFileSync(file, await qm.toOnnx());
        out.push({ qdqFile: file });
      }
    } catch (e) {
      out.push({ engine: 'wasmq-int8', error: String(e?.message ?? e) });
    }
    // A16W8 mixed precision (activations.int16 'conv-inputs'), on models where it picks tensors.
    try {
      const calibrationData = calibrationFeeds(id, { count: quick ? 2 : 8 });
      const qm = await wq.quantizeModel(model, {
        mode: 'static', weights: { dtype: 'int8', granularity: 'channel' },
        activations: { dtype: 'int8', calibration: 'minmax', int16: 'conv-inputs' }, calibrationData,
      });
      const n16 = qm.report().filter((r) => r.dtype === 'int16').length;
      if (n16 > 0) out.push({ engine: 'wasmq-a16w8', int16Tensors: n16, ...(await timeRuns(() => qm.run(feeds), timing)) });
      qm.dispose();
    } catch (e) {
      out.push({ engine: 'wasmq-a16w8', error: String(e?.message ?? e) });
    }
  }
  model.dispose?.();
  process.stdout.write(JSON.stringify(out) + '\n');
}

function runChild(id) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', id, ...(quick ? ['--quick'] : [])],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let s = '';
    p.stdout.on('data', (d) => { s += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`wasmq child for ${id} exited with ${code}`));
      try {
        resolve(JSON.parse(s.trim().split('\n').pop()));
      } catch (e) {
        reject(new Error(`wasmq child for ${id}: bad output ${s.slice(0, 200)}`));
      }
    });
  });
}

async function main() {
  const ids = opt('--models')?.split(',') ?? (quick ? ['ppocr-cls'] : Object.keys(MODELS));
  const withNode = !args.includes('--no-node') && !quick;
  for (const id of ids) {
    const feeds = feedsFor(id);
    const ms = {};
    const base = { model: id, dims: Object.values(feeds)[0].dims.join('x') };
    // wasmq: PROCESSES children; per engine the fastest child's row (quantization is deterministic,
    // so every child exports the same QDQ bytes: the first one's file is kept).
    const runs = [];
    for (let i = 0; i < PROCESSES; i++) {
      try {
        runs.push(await runChild(id));
      } catch (e) {
        emit({ ...base, engine: 'wasmq-f32', error: String(e.message) });
        break;
      }
    }
    let qdqFile = null;
    const best = new Map(), medians = new Map();
    for (const rows of runs) {
      for (const r of rows) {
        if (r.qdqFile) {
          if (qdqFile) rmSync(path.dirname(r.qdqFile), { recursive: true, force: true });
          else qdqFile = r.qdqFile;
          continue;
        }
        if (r.error) { best.set(r.engine, r); continue; }
        medians.set(r.engine, [...(medians.get(r.engine) ?? []), +r.ms.toFixed(4)]);
        if (!best.has(r.engine) || best.get(r.engine).error || r.ms < best.get(r.engine).ms) best.set(r.engine, r);
      }
    }
    for (const [engine, r] of best) {
      if (r.error) { emit({ ...base, engine, error: r.error }); continue; }
      ms[engine] = r.ms;
      emit({ ...base, engine, ms: +r.ms.toFixed(4), min: +r.min.toFixed(4), loadMs: r.loadMs && +r.loadMs.toFixed(1),
        processMedians: medians.get(engine), load1: +loadavg()[0].toFixed(2) });
    }
    const peers = [['ort-web-f32', 'web', modelPath(id)]];
    if (withNode) peers.push(['ort-node-f32', 'node', modelPath(id)]);
    if (qdqFile) peers.push(['ort-web-qdq', 'web', qdqFile]);
    for (const [engine, kind, file] of peers) {
      try {
        const t = await fastestOf(PROCESSES, async () => {
          const r = await timeOrtDetailed(file, feeds, { engine: kind, threads: 1, ...TIMING });
          return { ...r, ms: r.median };
        });
        ms[engine] = t.ms;
        emit({ ...base, engine, ms: +t.ms.toFixed(4), min: +t.min.toFixed(4), loadMs: +t.loadMs.toFixed(1),
          processMedians: t.processMedians, load1: +loadavg()[0].toFixed(2) });
      } catch (e) {
        emit({ ...base, engine, error: String(e.message).split('\n')[0] });
      }
    }
    if (qdqFile) rmSync(path.dirname(qdqFile), { recursive: true, force: true });
    for (const [a, b] of [['wasmq-f32', 'ort-web-f32'], ['wasmq-f32', 'ort-node-f32'], ['wasmq-int8', 'ort-web-qdq'], ['wasmq-int8', 'ort-web-f32'],
      ['wasmq-a16w8', 'wasmq-int8'], ['wasmq-a16w8', 'ort-web-f32']]) {
      if (ms[a] !== undefined && ms[b] !== undefined) emit({ model: id, ratio: `${a}/${b}`, value: +(ms[a] / ms[b]).toFixed(3) });
    }
  }
  // Download sizes: what a page fetches (each file gzipped -9, summed).
  const wasmq = gzipSize(['dist/wasmq-simd.wasm', 'dist/wasmq-simd.mjs', 'dist/index.mjs', 'dist/model.mjs'].map((f) => path.join(root, f)));
  const ort = gzipSize(ortWebPageFiles('wasm'));
  emit({ size: 'wasmq', files: 'dist/wasmq-simd.{wasm,mjs} + index.mjs + model.mjs', bytes: wasmq.bytes, gzipBytes: wasmq.gzipBytes });
  emit({ size: 'ort-web', files: 'onnxruntime-web/wasm (ort.wasm.bundle.min.mjs + ort-wasm-simd-threaded.wasm)', bytes: ort.bytes, gzipBytes: ort.gzipBytes });
  emit({ ratio: 'size wasmq/ort-web (gzip)', value: +(wasmq.gzipBytes / ort.gzipBytes).toFixed(4) });
}

const ci = args.indexOf('--child');
if (ci >= 0) {
  await child(args[ci + 1], TIMING);
} else {
  await main();
}
