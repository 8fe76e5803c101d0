// Renders real text-line images (English text from Debian's license files, Debian's DejaVu and
// Liberation fonts) in headless Chromium, as test and calibration data for the OCR models.
// Writes .cache/text-lines/lines-v1.{json,bin}; run by scripts/setup.sh, quick when present.
//   node scripts/render-text-lines.mjs [--force] [--count N]
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from '../tests/browser/chromium.mjs';
import { TEXT_LINES, TEXT_LINES_VERSION, textLinesIndexPath } from '../tests/fixtures/text-lines.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const count = Number(args[args.indexOf('--count') + 1] || 0) || TEXT_LINES.count;
const json = textLinesIndexPath();
const out = path.dirname(json);

if (existsSync(json) && !args.includes('--force')) {
  const meta = JSON.parse(readFileSync(json, 'utf8'));
  if (meta.count === count) {
    console.log(`[text-lines] ${meta.count} lines present (${path.relative(root, json)})`);
    process.exit(0);
  }
}

// Words of real English prose, from files every Debian system has (package base-files).
const SOURCES = ['GPL-3', 'Apache-2.0', 'MPL-2.0', 'LGPL-3', 'GFDL-1.3'].map((f) => `/usr/share/common-licenses/${f}`);
const words = SOURCES.filter(existsSync)
  .flatMap((f) => readFileSync(f, 'utf8').split(/\s+/))
  .filter((w) => w && /[A-Za-z0-9]/.test(w) && w.length <= 18);
if (words.length < 1000) throw new Error(`render-text-lines: too few words in ${SOURCES.join(', ')} (package base-files)`);

// Runs in the page: one canvas per line, drawn at a random font, size, colour and margin, then
// scaled to height H (width <= maxW, keeping the aspect ratio as PaddleOCR's resize does), rotated
// by 180 degrees for half of the lines. Returns RGB rows (HWC bytes) per line.
function renderInPage({ words, count, H, maxW, seed, fonts }) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const lines = [];
  const src = document.createElement('canvas');
  const dst = document.createElement('canvas');
  for (let i = 0; i < count; i++) {
    const start = Math.floor(rnd() * (words.length - 12));
    const text = words.slice(start, start + 1 + Math.floor(rnd() * 7)).join(' ');
    const size = 20 + Math.floor(rnd() * 24);
    const font = `${rnd() < 0.15 ? 'italic ' : ''}${rnd() < 0.3 ? 'bold ' : ''}${size}px "${pick(fonts)}"`;
    const dark = Math.floor(rnd() * 90), light = 170 + Math.floor(rnd() * 85);
    const inverted = rnd() < 0.2;
    const tint = () => Math.floor((rnd() - 0.5) * 40);
    const fg = inverted ? [light, light, light] : [dark + tint(), dark + tint(), dark + tint()];
    const bg = inverted ? [dark, dark, dark] : [light + tint(), light + tint(), light + tint()].map((v) => Math.min(255, v));
    const c = src.getContext('2d');
    c.font = font;
    const m = c.measureText(text);
    const padX = 2 + Math.floor(rnd() * 10), padTop = 1 + Math.floor(rnd() * 6), padBottom = 1 + Math.floor(rnd() * 6);
    const asc = Math.ceil(m.fontBoundingBoxAscent), desc = Math.ceil(m.fontBoundingBoxDescent);
    src.width = Math.ceil(m.width) + 2 * padX;
    src.height = asc + desc + padTop + padBottom;
    c.fillStyle = `rgb(${bg})`;
    c.fillRect(0, 0, src.width, src.height);
    c.font = font;
    c.fillStyle = `rgb(${fg})`;
    c.textBaseline = 'alphabetic';
    c.fillText(text, padX, padTop + asc);
    const w = Math.max(8, Math.min(maxW, Math.ceil(H * src.width / src.height)));
    dst.width = w;
    dst.height = H;
    const d = dst.getContext('2d');
    d.imageSmoothingEnabled = true;
    d.imageSmoothingQuality = 'medium';
    const rotated = i % 2 === 1;
    d.setTransform(1, 0, 0, 1, 0, 0);
    if (rotated) d.setTransform(-1, 0, 0, -1, w, H);
    d.drawImage(src, 0, 0, w, H);
    const px = d.getImageData(0, 0, w, H).data;
    const rgb = new Uint8Array(w * H * 3);
    for (let p = 0, q = 0; p < px.length; p += 4) {
      // Mild sensor noise, as on a photographed or scanned page.
      for (let k = 0; k < 3; k++) rgb[q++] = Math.max(0, Math.min(255, Math.round(px[p + k] + (rnd() - 0.5) * 12)));
    }
    // Bytes cross the DevTools protocol as base64 (a plain array of numbers is 10x slower).
    let bin = '';
    for (let p = 0; p < rgb.length; p += 8192) bin += String.fromCharCode.apply(null, rgb.subarray(p, p + 8192));
    lines.push({ text, font, width: w, rotated, rgb: btoa(bin) });
  }
  return lines;
}

const { chromium } = await import('playwright-core');   // only when rendering: set-up stays quick
const browser = await chromium.launch(CHROMIUM);
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>text lines</title>');
  const fonts = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'Liberation Sans', 'Liberation Serif',
    'Liberation Mono', 'Liberation Sans Narrow'];
  const lines = await page.evaluate(renderInPage, { words, count, H: TEXT_LINES.height, maxW: TEXT_LINES.maxWidth,
    seed: TEXT_LINES.seed, fonts });
  mkdirSync(out, { recursive: true });
  for (const l of lines) l.rgb = Buffer.from(l.rgb, 'base64');
  const total = lines.reduce((s, l) => s + l.rgb.length, 0);
  const bin = new Uint8Array(total);
  let off = 0;
  const meta = { version: TEXT_LINES_VERSION, count, height: TEXT_LINES.height, maxWidth: TEXT_LINES.maxWidth,
    layout: 'HWC RGB uint8 per line, lines concatenated', lines: [] };
  for (const l of lines) {
    bin.set(l.rgb, off);
    meta.lines.push({ offset: off, width: l.width, rotated: l.rotated, text: l.text, font: l.font });
    off += l.rgb.length;
  }
  const binFile = json.replace(/\.json$/, '.bin');
  writeFileSync(binFile + '.tmp', bin);
  renameSync(binFile + '.tmp', binFile);
  writeFileSync(json + '.tmp', JSON.stringify(meta));
  renameSync(json + '.tmp', json);   // the JSON last: its presence means the pair is complete
  console.log(`[text-lines] rendered ${count} lines (${(total / 1e6).toFixed(1)} MB) into ${path.relative(root, out)}`);
} finally {
  await browser.close();
}
