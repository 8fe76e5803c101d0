// Playground UI: reads the form, asks the worker to quantize, shows the chart, metrics and parameters.
import { DTYPES, SCHEMES, GRANULARITIES, CALIBRATIONS, simdSupported } from 'wasmq';
import { DISTRIBUTIONS, MAX_SIZE, parseNumbers } from './data.mjs';
import { createHistogramChart } from './chart.mjs';

const $ = (id) => document.getElementById(id);
const HISTOGRAM_CALIBRATIONS = new Set(['percentile', 'mse', 'entropy']);
const SHOWN_PARAMS = 8;

// ---- form ----

function fillSelect(select, entries, selected) {
  for (const [value, label] of entries) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    o.selected = value === selected;
    select.append(o);
  }
}

function setupForm() {
  fillSelect($('source'), [...Object.entries(DISTRIBUTIONS).map(([k, [label]]) => [k, label]), ['paste', 'Paste numbers']], 'normal');
  $('size').max = String(MAX_SIZE);
  fillSelect($('dtype'), DTYPES.map((d) => [d, d]), 'int8');
  fillSelect($('scheme'), SCHEMES.map((s) => [s, s]), 'affine');
  fillSelect($('granularity'), GRANULARITIES.map((g) => [g, g === 'tensor' ? 'per tensor' : `per ${g}`]), 'tensor');
  fillSelect($('calibration'), CALIBRATIONS.map((c) => [c, c]), 'minmax');
  if (!simdSupported()) {
    $('force-scalar').checked = true;
    $('force-scalar').disabled = true;
    $('force-scalar').labels[0].textContent += ' — this browser has no WebAssembly SIMD';
  }
  $('controls').addEventListener('input', syncVisibility);
  $('controls').addEventListener('change', syncVisibility);
  // Usual axes: per channel along the rows (output channels of a [out, in] weight), blocks along the columns.
  $('granularity').addEventListener('change', () => {
    $('axis').value = $('granularity').value === 'block' ? '1' : '0';
  });
  syncVisibility();
}

/** Shows only the fields that apply to the current choices. */
function syncVisibility() {
  const paste = $('source').value === 'paste';
  $('source-hint').textContent = paste ? `Up to ${MAX_SIZE.toLocaleString('en')} numbers.` : DISTRIBUTIONS[$('source').value][1];
  $('generator-fields').hidden = paste;
  $('paste-fields').hidden = !paste;
  const calibration = $('calibration').value;
  $('percentile-field').hidden = calibration !== 'percentile';
  $('bins-field').hidden = !HISTOGRAM_CALIBRATIONS.has(calibration);
  const granularity = $('granularity').value;
  $('layout-fields').hidden = granularity === 'tensor';
  $('block-size-field').hidden = granularity !== 'block';
  const rows = Number($('rows').value);
  const n = paste ? null : Number($('size').value);
  $('shape').textContent = n !== null && Number.isInteger(rows) && rows > 0 && n % rows === 0
    ? `[${rows}, ${n / rows}]` : `[${$('rows').value || '?'}, size / rows]`;
}

function intField(id, label, min) {
  const raw = $(id).value.trim();
  const v = Number(raw);
  if (raw === '' || !Number.isInteger(v) || v < min) {
    throw new Error(`${label} must be an integer ≥ ${min} (got '${raw}')`);
  }
  return v;
}

function numberField(id, label) {
  const raw = $(id).value.trim();
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v)) throw new Error(`${label} must be a number (got '${raw}')`);
  return v;
}

/**
 * The request for the worker: { source, options, forceScalar }. `options` holds exactly the
 * quantize() options the form sets; page-level mistakes (bad paste, rows not dividing the size)
 * throw here, the library checks the rest.
 */
function readRequest() {
  let source;
  let n;
  if ($('source').value === 'paste') {
    const values = parseNumbers($('numbers').value);
    source = { kind: 'values', values };
    n = values.length;
  } else {
    source = {
      kind: 'distribution',
      distribution: $('source').value,
      seed: intField('seed', 'Seed', 0),
      size: intField('size', 'Size', 1),
    };
    n = source.size;
  }
  const options = {
    dtype: $('dtype').value,
    scheme: $('scheme').value,
    granularity: $('granularity').value,
    calibration: $('calibration').value,
  };
  if (options.calibration === 'percentile') options.percentile = numberField('percentile', 'Percentile');
  if (HISTOGRAM_CALIBRATIONS.has(options.calibration)) options.bins = intField('bins', 'Histogram bins', 1);
  if (options.granularity !== 'tensor') {
    const rows = intField('rows', 'Rows', 1);
    if (n % rows !== 0) throw new Error(`${n} values cannot be read as ${rows} rows: choose rows that divide ${n}`);
    options.shape = [rows, n / rows];
    options.axis = Number($('axis').value);
    if (options.granularity === 'block') options.blockSize = intField('block-size', 'Block size', 1);
  }
  return { source, options, forceScalar: $('force-scalar').checked };
}

// ---- worker ----

function createWorkerClient() {
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
  const pending = new Map();
  let nextId = 1;
  const failAll = (msg) => {
    for (const { reject } of pending.values()) reject(new Error(msg));
    pending.clear();
  };
  worker.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    if (!p) return;
    pending.delete(data.id);
    if (data.ok) p.resolve(data.result);
    else p.reject(new Error(data.error));
  };
  worker.onerror = (e) => {
    e.preventDefault();
    const msg = `the compute worker failed: ${e.message || 'could not load worker.mjs or wasmq'}`;
    failAll(msg);
    showError(msg);
  };
  worker.onmessageerror = () => failAll('the compute worker sent a message that could not be read');
  return {
    request(msg, transfer = []) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ ...msg, id }, transfer);
      });
    },
  };
}

// ---- output ----

/** Short human form of a number; the full value goes to data-value. */
function fmt(v, digits = 5) {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
}

function bytesText(b) {
  return b < 1024 ? `${b} B` : b < 1024 * 1024 ? `${(b / 1024).toFixed(2)} KiB` : `${(b / 1048576).toFixed(2)} MiB`;
}

function setValue(id, text, value) {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = value;
}

function listText(arr, f) {
  if (arr.length === 0) return 'none';
  const shown = Array.from(arr.slice(0, SHOWN_PARAMS), f).join(', ');
  return arr.length > SHOWN_PARAMS ? `${shown}, … (${arr.length - SHOWN_PARAMS} more)` : shown;
}

function showBuild(simd) {
  setValue('build', simd ? 'WASM SIMD' : 'WASM scalar', simd ? 'simd' : 'scalar');
}

function showResult(r, chart) {
  const m = r.metrics;
  setValue('sqnr', `${fmt(m.sqnrDb, 4)} dB`, String(m.sqnrDb));
  setValue('mse', fmt(m.mse), String(m.mse));
  setValue('max-abs-error', fmt(m.maxAbsError), String(m.maxAbsError));
  setValue('cosine', Number.isFinite(m.cosine) ? m.cosine.toFixed(8) : fmt(m.cosine), String(m.cosine));

  const quantized = r.bytes.data + r.bytes.params;
  setValue('size-original', `${bytesText(r.bytes.original)} (${r.n} × float32)`, String(r.bytes.original));
  setValue('size-quantized', `${bytesText(quantized)} (${bytesText(r.bytes.data)} data + ${bytesText(r.bytes.params)} parameters)`,
    String(quantized));
  const ratio = r.bytes.original / quantized;
  setValue('compression', `${ratio.toFixed(2)} ×`, String(ratio));
  setValue('time', `quantize ${r.timeMs.quantize.toFixed(2)} ms · dequantize ${r.timeMs.dequantize.toFixed(2)} ms`,
    JSON.stringify(r.timeMs));

  const q = r.q;
  $('scale-shape').textContent = q.scaleShape.length ? ` [${q.scaleShape.join(', ')}]` : '';
  $('scale-shape').dataset.value = JSON.stringify(q.scaleShape);
  const noScale = q.codebook ? 'none (k-means codebook)' : 'none (floating-point dtype)';
  setValue('scale', q.scale.length ? listText(q.scale, (v) => fmt(v, 6)) : noScale, JSON.stringify(Array.from(q.scale)));
  setValue('zero-point', q.zeroPoint.length ? listText(q.zeroPoint, String) : 'none',
    JSON.stringify(Array.from(q.zeroPoint)));
  setValue('data-summary', `${r.n} values, min ${fmt(r.min)}, max ${fmt(r.max)}`, String(r.n));
  $('data-summary').dataset.fingerprint = r.fingerprint;
  setValue('levels-count', `${r.levels.values.length} distinct levels.`, String(r.levels.values.length));
  showBuild(r.simd);
  chart.update(r.histogram, r.levels);
}

function showError(message) {
  const el = $('error');
  el.textContent = message;
  el.hidden = false;
}

function clearError() {
  $('error').textContent = '';
  $('error').hidden = true;
}

function setStatus(state, text) {
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text;
}

// ---- main ----

async function main() {
  setupForm();
  const chart = createHistogramChart($('chart'));
  const client = createWorkerClient();
  let latest = 0;
  let runs = 0;

  async function quantize() {
    const ticket = ++latest;
    clearError();
    setStatus('running', 'Quantizing…');
    $('results').setAttribute('aria-busy', 'true');
    let outcome;
    try {
      const req = readRequest();
      const transfer = req.source.kind === 'values' ? [req.source.values.buffer] : [];
      const result = await client.request({ type: 'quantize', ...req }, transfer);
      if (ticket !== latest) return; // a newer run superseded this one
      showResult(result, chart);
      $('results').classList.remove('stale');
      outcome = ['done', `Done: ${result.q.dtype} ${result.q.scheme}, ${result.q.granularity}, on the ${result.simd ? 'SIMD' : 'scalar'} build.`];
    } catch (e) {
      if (ticket !== latest) return;
      showError(e.message);
      $('results').classList.add('stale');
      outcome = ['error', 'Failed: see the message below. The result shown is from the last successful run.'];
    }
    $('results').setAttribute('aria-busy', 'false');
    $('status').dataset.run = String(++runs);
    setStatus(...outcome);
  }

  $('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    quantize();
  });

  try {
    const { simd } = await client.request({ type: 'init', forceScalar: $('force-scalar').checked });
    showBuild(simd);
  } catch (e) {
    showError(e.message);
    setStatus('error', 'Could not load wasmq.');
    return;
  }
  $('quantize').disabled = false;
  setStatus('ready', 'Ready.');
  await quantize();
}

window.addEventListener('unhandledrejection', (e) => showError(`unexpected error: ${e.reason && e.reason.message ? e.reason.message : e.reason}`));
window.addEventListener('error', (e) => showError(`unexpected error: ${e.message}`));

main();
