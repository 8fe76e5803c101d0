// Output comparison for model tests: error statistics between two tensors (e.g. wasmq vs
// onnxruntime, int8 vs fp32) and an assertion whose message names the worst element.

function flatIndexToCoords(i, dims) {
  const c = new Array(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) {
    c[k] = i % dims[k];
    i = Math.floor(i / dims[k]);
  }
  return c;
}

const toArray = (t) => (t && typeof t === 'object' && 'data' in t ? t : { data: t, dims: [t.length] });

/**
 * Statistics of `actual` vs `expected` ({ data, dims } or plain typed arrays of equal length):
 * { n, maxAbsDiff, worst: { index, coords, actual, expected }, maxAbsExpected,
 *   relDiff (maxAbsDiff / max|expected|),
 *   rmse, cosine, sqnrDb, argmaxAgreement (fraction of rows, along the last axis, whose argmax
 *   matches), nonFinite (count of NaN/Inf in actual where expected is finite) }.
 */
export function compareTensors(actual, expected) {
  const a = toArray(actual), e = toArray(expected);
  if (a.data.length !== e.data.length) {
    throw new Error(`compareTensors: ${a.data.length} elements [${a.dims}] vs ${e.data.length} [${e.dims}]`);
  }
  const n = e.data.length;
  let maxAbs = 0, worst = 0, maxE = 0, se = 0, dot = 0, na = 0, ne = 0, nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const x = Number(a.data[i]), y = Number(e.data[i]);
    if (!Number.isFinite(x) && Number.isFinite(y)) { nonFinite++; continue; }
    const d = Math.abs(x - y);
    if (d > maxAbs) { maxAbs = d; worst = i; }
    maxE = Math.max(maxE, Math.abs(y));
    se += d * d;
    dot += x * y;
    na += x * x;
    ne += y * y;
  }
  const dims = e.dims ?? [n];
  const C = dims.length ? dims[dims.length - 1] : 1;
  let agree = 0;
  const rows = C > 0 ? n / C : 0;
  for (let r = 0; r < rows; r++) {
    let ba = 0, be = 0;
    for (let c = 1; c < C; c++) {
      if (a.data[r * C + c] > a.data[r * C + ba]) ba = c;
      if (e.data[r * C + c] > e.data[r * C + be]) be = c;
    }
    agree += ba === be;
  }
  return {
    n, maxAbsDiff: maxAbs,
    worst: n ? { index: worst, coords: flatIndexToCoords(worst, dims), actual: Number(a.data[worst]), expected: Number(e.data[worst]) } : null,
    maxAbsExpected: maxE,
    relDiff: maxAbs / Math.max(maxE, 1e-30),
    rmse: n ? Math.sqrt(se / n) : 0,
    cosine: na && ne ? dot / Math.sqrt(na * ne) : (na === ne ? 1 : 0),
    sqnrDb: se ? 10 * Math.log10(ne / se) : Infinity,
    argmaxAgreement: rows ? agree / rows : 1,
    nonFinite,
  };
}

/**
 * Throws an Error unless |actual - expected| <= abs + rel * max|expected| everywhere (and both
 * have the same dims when given). The message names the tensor, the worst element and the stats.
 */
export function assertClose(actual, expected, { rel = 1e-4, abs = 0, name = 'output' } = {}) {
  const a = toArray(actual), e = toArray(expected);
  if (a.dims && e.dims && JSON.stringify(a.dims) !== JSON.stringify(e.dims)) {
    throw new Error(`${name}: dims [${a.dims}] differ from expected [${e.dims}]`);
  }
  const s = compareTensors(a, e);
  const tol = abs + rel * s.maxAbsExpected;
  if (s.nonFinite || s.maxAbsDiff > tol) {
    const w = s.worst;
    throw new Error(`${name}: max |diff| ${s.maxAbsDiff.toExponential(3)} > tolerance ${tol.toExponential(3)} ` +
      `(rel ${rel}, abs ${abs}) at [${w.coords}]: ${w.actual} vs ${w.expected}; relDiff ${s.relDiff.toExponential(3)}, ` +
      `cosine ${s.cosine.toFixed(6)}, nonFinite ${s.nonFinite}`);
  }
  return s;
}
