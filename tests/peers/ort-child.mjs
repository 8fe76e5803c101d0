// Child process that runs one onnxruntime engine (node or web) on one request file and writes a
// response file: `node ort-child.mjs <node|web> <request> <response>`. Used by tests/peers/ort.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeMessage, encodeMessage } from './tensor-io.mjs';

const [engine, requestPath, responsePath] = process.argv.slice(2);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function loadEngine(threads) {
  if (engine === 'node') {
    const ort = await import('onnxruntime-node');
    if (!ort.env.versions?.node) throw new Error(`onnxruntime-node did not load its own backend (versions ${JSON.stringify(ort.env.versions)})`);
    return ort;
  }
  if (engine === 'web') {
    const ort = await import('onnxruntime-web');
    if (!ort.env.versions?.web || ort.env.versions.node) {
      throw new Error(`onnxruntime-web did not load its own backend (versions ${JSON.stringify(ort.env.versions)})`);
    }
    // Load the .wasm next to the package's own dist/ files (explicit rather than import.meta-relative).
    const dist = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
    ort.env.wasm.wasmPaths = pathToFileURL(dist + path.sep).href;
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false;
    return ort;
  }
  throw new Error(`unknown engine '${engine}' (node or web)`);
}

async function main() {
  const { meta, tensors } = decodeMessage(readFileSync(requestPath));
  const o = meta.options ?? {};
  const threads = o.threads ?? 1;
  const ort = await loadEngine(threads);
  const sessionOptions = {
    graphOptimizationLevel: o.graphOptimizationLevel ?? 'all',
    executionMode: 'sequential',
    ...(engine === 'node' ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : { executionProviders: ['wasm'] }),
  };
  const t0 = performance.now();
  const model = engine === 'web' ? readFileSync(meta.model) : meta.model;
  const session = await ort.InferenceSession.create(model, sessionOptions);
  const loadMs = performance.now() - t0;
  const versions = ort.env.versions;

  if (meta.op === 'meta') {
    return [{ ok: true, versions, inputs: session.inputMetadata, outputs: session.outputMetadata,
      inputNames: session.inputNames, outputNames: session.outputNames }, {}];
  }

  // Tensor names are '<feed index>/<input name>' (several feed sets share one session).
  const feedSets = [];
  for (const [key, t] of Object.entries(tensors)) {
    const slash = key.indexOf('/');
    const i = Number(key.slice(0, slash));
    (feedSets[i] ??= {})[key.slice(slash + 1)] = new ort.Tensor(t.dtype, t.data, t.dims);
  }
  const fetches = o.outputs ?? session.outputNames;
  const run = (i = 0) => session.run(feedSets[i] ?? {}, fetches);

  if (meta.op === 'run') {
    const out = {};
    for (let i = 0; i < meta.count; i++) {
      const result = await run(i);
      for (const name of fetches) {
        const t = result[name];
        out[`${i}/${name}`] = { data: t.data, dims: [...t.dims], dtype: t.type };
      }
    }
    await session.release?.();
    return [{ ok: true, versions, loadMs }, out];
  }

  if (meta.op === 'time') {
    const warmup = o.warmup ?? 5, warmupMs = o.warmupMs ?? 2000, runs = o.runs ?? 20;
    if (!(runs >= 1)) throw new Error(`runs must be >= 1, got ${runs}`);
    // Warm up by count AND time: V8 compiles wasm with Liftoff first and tiers hot functions up to
    // TurboFan in the background, which takes ~1-2 s for onnxruntime-web's 14 MB module.
    const w0 = performance.now();
    let warmed = 0;
    while (warmed < warmup || performance.now() - w0 < warmupMs) { await run(); warmed++; }
    const times = [];
    for (let i = 0; i < runs; i++) {
      const a = performance.now();
      await run();
      times.push(performance.now() - a);
    }
    await session.release?.();
    return [{ ok: true, versions, loadMs, median: median(times), min: Math.min(...times), max: Math.max(...times),
      mean: times.reduce((a, b) => a + b, 0) / times.length, runs, warmup: warmed, warmupMs: performance.now() - w0 - times.reduce((a, b) => a + b, 0), times }, {}];
  }
  throw new Error(`unknown op '${meta.op}'`);
}

try {
  const [meta, tensors] = await main();
  writeFileSync(responsePath, encodeMessage(meta, tensors));
} catch (e) {
  writeFileSync(responsePath, encodeMessage({ ok: false, message: String(e?.message ?? e), stack: e?.stack }));
}
// Web engine's worker pool (threads > 1) would keep the process alive.
process.exit(0);
