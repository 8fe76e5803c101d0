// Per-op profile of wasmq's int8 (and optionally float) execution of the real models: quantizes as
// bench/suites/models.mjs does, runs the QOperator model through loadModel with Model.setProfiling
// and prints the time per op type (and the slowest nodes).
// Usage: node bench/profile-models.mjs [--models ppocr-cls,ppocr-det] [--runs 20] [--top 12] [--float]
//        [--save dir]   write <id>-qop.onnx and <id>-out<i>.bin (the int8 model's outputs) to dir
//        [--load dir]   use dir/<id>-qop.onnx instead of quantizing (same model before/after a change)
//        [--compare dir] require the outputs to equal dir/<id>-out<i>.bin byte for byte
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS, calibrationFeeds, modelBytes, naturalFeeds, randomFeeds } from '../tests/fixtures/models.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ids = (opt('--models') ?? 'ppocr-cls,ppocr-det').split(',');
const runs = Number(opt('--runs') ?? 20);
const top = Number(opt('--top') ?? 12);
const save = opt('--save'), load = opt('--load'), compare = opt('--compare');

// WASMQ_DIST=dir: another build's dist/ (A/B runs of two builds on the same machine state).
const { init } = await import(path.join(process.env.WASMQ_DIST ?? path.join(root, 'dist'), 'node.mjs'));
const { loadModel } = await import(path.join(root, 'bindings/js/model.mjs'));
const wq = await init();

function feedsFor(id) {
  return MODELS[id].preprocess ? naturalFeeds(id, { index: 0 }) : randomFeeds(id, { seed: 1 });
}

async function profileModel(label, model, feeds) {
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) await model.run(feeds);  // warm-up (V8 tier-up)
  model.setProfiling(true);
  for (let i = 0; i < runs; i++) await model.run(feeds);
  const p = model.profile();
  model.setProfiling(false);
  const total = p.reduce((a, s) => a + s.ms, 0) / runs;
  const byOp = new Map();
  for (const s of p) {
    const e = byOp.get(s.opType) ?? { opType: s.opType, ms: 0, nodes: 0 };
    e.ms += s.ms / runs;
    e.nodes += 1;
    byOp.set(s.opType, e);
  }
  const ops = [...byOp.values()].sort((a, b) => b.ms - a.ms);
  console.log(`\n== ${label}: ${total.toFixed(3)} ms per run (sum of steps, mean of ${runs} profiled runs), ${p.length} steps`);
  for (const e of ops) console.log(`  ${e.opType.padEnd(34)} ${e.ms.toFixed(3).padStart(8)} ms ${(100 * e.ms / total).toFixed(1).padStart(5)} %  x${e.nodes}`);
  console.log(`  slowest nodes:`);
  for (const s of [...p].sort((a, b) => b.ms - a.ms).slice(0, top)) {
    console.log(`    ${(s.ms / runs).toFixed(3).padStart(7)} ms  ${s.opType.padEnd(30)} ${s.node}`);
  }
  console.log(JSON.stringify({ profile: label, totalMs: +total.toFixed(4), ops: ops.map((e) => [e.opType, +e.ms.toFixed(4), e.nodes]) }));
}

for (const id of ids) {
  const feeds = feedsFor(id);
  const model = await loadModel(wq._m, modelBytes(id));
  if (args.includes('--float')) await profileModel(`${id} f32`, model, feeds);
  let qbytes;
  const qfile = (dir) => path.join(dir, `${id}-qop.onnx`);
  if (load) {
    qbytes = new Uint8Array(readFileSync(qfile(load)));
  } else {
    const qm = await wq.quantizeModel(model, {
      mode: 'static', weights: { dtype: 'int8', granularity: 'channel' },
      activations: { dtype: 'int8', calibration: 'minmax' }, calibrationData: calibrationFeeds(id, { count: 8 }),
    });
    qbytes = await qm.toOnnx({ form: 'qoperator' });
    qm.dispose();
  }
  model.dispose();
  const qmodel = await loadModel(wq._m, qbytes);
  const outs = Object.values(await qmodel.run(feeds));
  if (save) {
    mkdirSync(save, { recursive: true });
    writeFileSync(qfile(save), qbytes);
    outs.forEach((o, i) => writeFileSync(path.join(save, `${id}-out${i}.bin`), new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.byteLength)));
  }
  if (compare) {
    outs.forEach((o, i) => {
      const f = path.join(compare, `${id}-out${i}.bin`);
      if (!existsSync(f)) throw new Error(`${f} is missing (run with --save first)`);
      const want = readFileSync(f);
      const got = Buffer.from(o.data.buffer, o.data.byteOffset, o.data.byteLength);
      let diff = 0;
      for (let k = 0; k < Math.max(want.length, got.length); k++) if (want[k] !== got[k]) ++diff;
      console.log(JSON.stringify({ compare: id, output: i, bytes: got.length, differingBytes: diff }));
      if (diff) process.exitCode = 1;
    });
  }
  await profileModel(`${id} int8`, qmodel, feeds);
  qmodel.dispose();
}
