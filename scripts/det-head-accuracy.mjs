// ppocr-det static int8 with some nodes of its head kept in float: probability-map SQNR and the
// IoU of the binarized map (p > 0.3) against float on text pages (as tests/js/quantize-model.test.mjs
// measures them), and the int8 run time, per variant.
// node scripts/det-head-accuracy.mjs [--pages 20] [--calib 4] [--runs 15] [--int16]
//   --int16: an A16W8 variant too (activations.int16 'conv-inputs').
//   WASMQ_DIST=dir: another build's dist/ (its variants are only those its quantizer supports).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrationFeeds, modelBytes, textMapComparison, textPageFeeds } from '../tests/fixtures/models.mjs';
import { CALIBRATION_LINES } from '../tests/fixtures/text-lines.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i < 0 ? d : Number(args[i + 1]); };
const pages = opt('pages', 20), calib = opt('calib', 4), runs = opt('runs', 15);
const { init } = await import(path.join(process.env.WASMQ_DIST ?? path.join(root, 'dist'), 'node.mjs'));
const { loadModel } = await import(path.join(root, 'bindings/js/model.mjs'));
const wq = await init();
const id = 'ppocr-det';
const m = await loadModel(wq._m, modelBytes(id));
const quantize = (exclude, int16 = 'none') => wq.quantizeModel(m, { mode: 'static', activations: { int16 },
  calibrationData: calibrationFeeds(id, { count: calib }), exclude });

// Float outputs of the test pages, once.
const feeds = [], refs = [];
let start = CALIBRATION_LINES;
for (let i = 0; i < pages; i++) {
  const page = textPageFeeds(id, { start });
  start = page.lines.at(-1) + 1;
  feeds.push(page.feeds);
  refs.push(Object.values(await m.run(page.feeds))[0].data);
}

const first = await quantize([]);
const rows = first.report();
first.dispose();
const convt = rows.filter((r) => r.op.startsWith('ConvTranspose')).map((r) => r.node);
const sigmoid = rows.filter((r) => r.op === 'Sigmoid').map((r) => r.node);
const variants = [['all int8', []]];
if (convt.length) {
  variants.push(['last ConvTranspose (and Sigmoid) float', [convt.at(-1)]]);
  variants.push(['Sigmoid float', sigmoid]);
  variants.push(['both ConvTranspose float', convt]);
}
if (args.includes('--int16')) variants.push(['A16W8 (int16 conv inputs)', [], 'conv-inputs']);
console.log(JSON.stringify({ dist: process.env.WASMQ_DIST ?? 'dist', pages, calib, convTranspose: rows.filter((r) => r.op.startsWith('ConvTranspose')).map((r) => [r.node, r.op, r.qop]) }));
for (const [label, exclude, int16] of variants) {
  const qm = await quantize(exclude, int16);
  const cmp = textMapComparison();
  for (let p = 0; p < pages; p++) cmp.add(refs[p], Object.values(await qm.run(feeds[p]))[0].data);
  const { sqnrDb, iou, floatText, int8Text } = cmp.result();
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) await qm.run(feeds[0]);
  const ts = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await qm.run(feeds[0]);
    ts.push(performance.now() - t);
  }
  ts.sort((x, y) => x - y);
  const head = qm.report().filter((r) => r.op.startsWith('ConvTranspose') || r.op === 'Sigmoid')
    .map((r) => `${r.node} ${r.qop} ${r.outputSqnrDb.toFixed(2)} dB`);
  console.log(JSON.stringify({ variant: label, exclude, mapSqnrDb: +sqnrDb.toFixed(2), iou: +iou.toFixed(4),
    textPixelsFloat: floatText, textPixelsInt8: int8Text, medianMs: +ts[runs >> 1].toFixed(2), minMs: +ts[0].toFixed(2), head }));
  qm.dispose();
}
m.dispose();
