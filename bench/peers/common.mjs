// Shared CLI of bench/peers/ort-{web,node}.mjs: times one model on one onnxruntime engine (in a
// child process) and prints one JSON line per result.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseOnnx } from '../../tests/fixtures/onnx-info.mjs';
import { MODELS, MODEL_IDS, modelIdForPath, modelPath, naturalFeeds, randomFeeds, rng } from '../../tests/fixtures/models.mjs';
import { timeOrtDetailed } from '../../tests/peers/ort.mjs';
import { gzipSize, ortWebPageFiles, ortWebVersion } from './size.mjs';

function usage(engine) {
  return `usage: node bench/peers/ort-${engine}.mjs <model.onnx | fixture id> [--runs N] [--warmup N] [--warmup-ms MS] [--threads N]
       [--shape name=1x3x48x192]...${engine === 'web' ? ' [--size]' : ''}
fixture ids: ${MODEL_IDS.join(', ')}`;
}

/** Parses argv: { model, runs, warmup, warmupMs, threads, shapes: { name: dims }, size }. */
export function parseArgs(argv, engine) {
  const o = { model: null, runs: 20, warmup: 5, warmupMs: 2000, threads: 1, shapes: {}, size: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer\n${usage(engine)}`);
      return v;
    };
    if (a === '--runs') o.runs = Math.max(1, num());
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--warmup-ms') o.warmupMs = num();
    else if (a === '--threads') o.threads = Math.max(1, num());
    else if (a === '--size' && engine === 'web') o.size = true;
    else if (a === '--shape') {
      const m = /^([^=]+)=(\d+(?:x\d+)*)$/.exec(argv[++i] ?? '');
      if (!m) throw new Error(`--shape needs name=AxBxC\n${usage(engine)}`);
      o.shapes[m[1]] = m[2].split('x').map(Number);
    } else if (a === '-h' || a === '--help') throw new Error(usage(engine));
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${usage(engine)}`);
    else if (o.model) throw new Error(`one model at a time\n${usage(engine)}`);
    else o.model = a;
  }
  if (!o.model && !o.size) throw new Error(usage(engine));
  return o;
}

/**
 * Model file and feeds: fixture models get their fixture inputs (natural images for image
 * models, seeded random otherwise); other files get seeded random inputs of their declared
 * shapes (symbolic dims need --shape).
 */
export function resolveModel(model, shapes) {
  const id = MODELS[model] ? model : modelIdForPath(model);
  const file = MODELS[model] ? modelPath(model) : path.resolve(model);
  if (id) {
    const dims = Object.keys(shapes).length ? shapes : undefined;
    const feeds = MODELS[id].preprocess ? naturalFeeds(id, { dims }) : randomFeeds(id, { dims });
    return { id, file, name: path.basename(file, '.onnx'), feeds };
  }
  const info = parseOnnx(readFileSync(file));
  const r = rng(1);
  const feeds = {};
  for (const t of info.inputs) {
    const dims = shapes[t.name] ?? t.dims;
    if (!dims || dims.some((d) => typeof d !== 'number' || d <= 0)) {
      throw new Error(`input ${t.name} has dims [${t.dims}]: give concrete ones with --shape ${t.name}=AxBx...`);
    }
    const n = dims.reduce((a, b) => a * b, 1);
    let data;
    if (t.dtype === 'float32') data = Float32Array.from({ length: n }, () => r() * 2 - 1);
    else if (t.dtype === 'int64') data = new BigInt64Array(n);
    else if (t.dtype === 'int32') data = new Int32Array(n);
    else throw new Error(`input ${t.name}: dtype ${t.dtype} not supported by this CLI`);
    feeds[t.name] = { data, dims, dtype: t.dtype };
  }
  // ONNX test suites name every file model.onnx: use its folder's name then.
  const base = path.basename(file, '.onnx');
  return { id: null, file, name: base === 'model' ? path.basename(path.dirname(file)) : base, feeds };
}

export async function main(engine) {
  let o;
  try {
    o = parseArgs(process.argv.slice(2), engine);
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  try {
    if (o.size) {
      for (const variant of ['wasm', 'default']) {
        const s = gzipSize(ortWebPageFiles(variant));
        console.log(JSON.stringify({ suite: 'size', engine: 'ort-web', version: ortWebVersion(), variant,
          files: s.files.map((f) => path.basename(f.file)), bytes: s.bytes, gzipBytes: s.gzipBytes }));
      }
    }
    if (o.model) {
      const m = resolveModel(o.model, o.shapes);
      const t = await timeOrtDetailed(m.file, m.feeds, { engine, threads: o.threads, warmup: o.warmup, warmupMs: o.warmupMs, runs: o.runs });
      const shapes = Object.fromEntries(Object.entries(m.feeds).map(([k, v]) => [k, v.dims]));
      console.log(JSON.stringify({ suite: 'models', engine: `ort-${engine}`, version: t.versions[engine],
        model: m.id ?? m.name, threads: o.threads, ms: +t.median.toFixed(3), min: +t.min.toFixed(3),
        runs: t.runs, warmup: t.warmup, loadMs: +t.loadMs.toFixed(1), inputs: shapes,
        load1: +loadavg()[0].toFixed(2) }));
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
