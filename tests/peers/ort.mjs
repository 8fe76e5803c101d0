// Runs onnxruntime-node or onnxruntime-web on a model, each in its OWN child process (two ORT
// packages in one process share onnxruntime-common and may silently swap engines).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMessage, encodeMessage, normalizeTensors } from './tensor-io.mjs';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ort-child.mjs');
const LABEL = { node: 'onnxruntime-node', web: 'onnxruntime-web' };

/**
 * One request to a fresh child process. `model`: a file path or the model's bytes (Uint8Array /
 * ArrayBuffer). Resolves to { meta, tensors } of the response; rejects with an Error carrying the
 * peer's message (`onnxruntime-web: <message>`), or the exit status and stderr if the child died.
 */
async function request(engine, model, op, feedList, options = {}) {
  if (!LABEL[engine]) throw new Error(`engine must be 'node' or 'web', got '${engine}'`);
  const tensors = {};
  (feedList ?? []).forEach((feeds, i) => {
    for (const [name, t] of Object.entries(normalizeTensors(feeds, feedList.length > 1 ? `feeds[${i}]` : 'feeds'))) {
      tensors[`${i}/${name}`] = t;
    }
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmq-peer-'));
  try {
    let modelPath;
    if (typeof model === 'string') {
      modelPath = path.resolve(model);
    } else if (model instanceof Uint8Array || model instanceof ArrayBuffer) {
      modelPath = path.join(dir, 'model.onnx');
      writeFileSync(modelPath, model instanceof Uint8Array ? model : new Uint8Array(model));
    } else {
      throw new Error('model must be a file path or the model bytes (Uint8Array or ArrayBuffer)');
    }
    const req = path.join(dir, 'request.bin');
    const res = path.join(dir, 'response.bin');
    const { timeoutMs = 300_000, ...childOptions } = options;
    writeFileSync(req, encodeMessage({ op, model: modelPath, count: feedList?.length ?? 0, options: childOptions }, tensors));
    const { code, signal, stderr, timedOut } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CHILD, engine, req, res], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      let timedOut = false;
      child.stderr.on('data', (d) => { err = (err + d).slice(-8000); });
      const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('close', (c, s) => { clearTimeout(timer); resolve({ code: c, signal: s, stderr: err, timedOut }); });
    });
    let buf;
    try {
      buf = readFileSync(res);
    } catch {
      const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${signal ?? code}`;
      throw new Error(`${LABEL[engine]}: child process ${why} without a result${stderr ? `:\n${stderr.trim()}` : ''}`);
    }
    const msg = decodeMessage(buf);
    if (!msg.meta.ok) {
      const e = new Error(`${LABEL[engine]}: ${msg.meta.message}`);
      e.peerStack = msg.meta.stack;
      throw e;
    }
    return msg;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Splits '<i>/<name>' response tensors into one output map per feed set. */
function splitOutputs(tensors, count) {
  const out = Array.from({ length: count }, () => ({}));
  for (const [key, t] of Object.entries(tensors)) {
    const slash = key.indexOf('/');
    out[Number(key.slice(0, slash))][key.slice(slash + 1)] = t;
  }
  return out;
}

/**
 * Runs the model once on `feeds` ({ name: { data, dims, dtype? } }) with onnxruntime-node.
 * Options: threads (default 1), graphOptimizationLevel ('all'), outputs (names; default all),
 * timeoutMs. Resolves to { outputName: { data, dims, dtype } }.
 */
export async function runOrtNode(model, feeds, options = {}) {
  return runOrt('node', model, feeds, options);
}

/** Same as runOrtNode with onnxruntime-web (its wasm build, numThreads = threads, default 1). */
export async function runOrtWeb(model, feeds, options = {}) {
  return runOrt('web', model, feeds, options);
}

/** runOrtNode or runOrtWeb by name: engine 'node' or 'web'. */
export async function runOrt(engine, model, feeds, options = {}) {
  const { tensors } = await request(engine, model, 'run', [feeds], options);
  return splitOutputs(tensors, 1)[0];
}

/**
 * Runs the model on each feed set of `feedList` in ONE child and session (what a calibration
 * set or an accuracy sweep needs: one process start and model load instead of one per input).
 * Resolves to an array of output maps, in order.
 */
export async function runOrtMany(engine, model, feedList, options = {}) {
  if (!Array.isArray(feedList) || feedList.length === 0) throw new Error('runOrtMany: feedList must be a non-empty array of feeds');
  const { tensors } = await request(engine, model, 'run', feedList, options);
  return splitOutputs(tensors, feedList.length);
}

/**
 * Times session.run inside the child: warm-up runs until both `warmup` runs (default 5) and
 * `warmupMs` (default 2000: V8 tiers wasm up to TurboFan in the background) are done, then `runs`
 * timed runs (default 20). Resolves to { median, min, max, mean, times, loadMs, warmup (runs
 * done), versions, engine, threads }, times in milliseconds.
 */
export async function timeOrtDetailed(model, feeds, { engine = 'node', threads = 1, warmup = 5, warmupMs = 2000, runs = 20, ...rest } = {}) {
  const { meta } = await request(engine, model, 'time', [feeds], { threads, warmup, warmupMs, runs, ...rest });
  const { ok, ...stats } = meta;
  return { engine, threads, ...stats };
}

/** Median latency in ms of session.run, measured inside the child (see timeOrtDetailed). */
export async function timeOrt(model, feeds, options = {}) {
  return (await timeOrtDetailed(model, feeds, options)).median;
}

/**
 * What the engine reports about the model: { inputs, outputs (inputMetadata / outputMetadata:
 * name, type, shape with symbolic dims as strings), inputNames, outputNames, versions }.
 */
export async function ortModelInfo(model, { engine = 'node', ...rest } = {}) {
  const { meta } = await request(engine, model, 'meta', null, rest);
  const { ok, ...info } = meta;
  return info;
}
