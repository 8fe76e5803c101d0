// Pure data helpers for the playground (seeded generators, number parsing, histograms, levels); importable from Node.

/** Distributions the playground can generate: { key: [label, description] }. */
export const DISTRIBUTIONS = Object.freeze({
  normal: ['Normal', 'mean 0, standard deviation 1'],
  laplace: ['Laplace', 'location 0, scale 1 (standard deviation √2)'],
  uniform: ['Uniform', 'on [-1, 1)'],
  'heavy-tailed': ['Heavy-tailed + outliers', 'Student t with 3 degrees of freedom; 0.5% of the values replaced by ±10…30'],
});

export const MAX_SIZE = 1 << 22;

/** mulberry32: a small, fast 32-bit PRNG. Returns a function giving floats in [0, 1) with 2^-32 resolution. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Marsaglia's polar method (only sqrt and log: no trigonometry). */
function normalSampler(rand) {
  let spare = null;
  return function normal() {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u, v, s;
    do {
      u = 2 * rand() - 1;
      v = 2 * rand() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    return u * f;
  };
}

function checkSizeAndSeed(size, seed) {
  if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) {
    throw new RangeError(`size must be an integer from 1 to ${MAX_SIZE} (got ${size})`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295 (got ${seed})`);
  }
}

/**
 * `size` samples of a distribution (a key of DISTRIBUTIONS) as a Float32Array. The same
 * (distribution, seed, size) gives the same values in every engine that shares V8's Math.log.
 */
export function generate(distribution, { seed = 1, size = 4096 } = {}) {
  checkSizeAndSeed(size, seed);
  const rand = mulberry32(seed);
  const out = new Float32Array(size);
  switch (distribution) {
    case 'normal': {
      const normal = normalSampler(rand);
      for (let i = 0; i < size; i++) out[i] = normal();
      break;
    }
    case 'laplace': {
      for (let i = 0; i < size; i++) {
        const u = rand() - 0.5; // [-0.5, 0.5)
        const m = 1 - 2 * Math.abs(u); // (0, 1]
        out[i] = u < 0 ? Math.log(m) : -Math.log(m);
      }
      break;
    }
    case 'uniform': {
      for (let i = 0; i < size; i++) out[i] = 2 * rand() - 1;
      break;
    }
    case 'heavy-tailed': {
      // Student t with 3 degrees of freedom, then 0.5% of the values replaced by outliers of magnitude 10-30.
      const normal = normalSampler(rand);
      for (let i = 0; i < size; i++) {
        const z = normal();
        const a = normal();
        const b = normal();
        const c = normal();
        out[i] = z / Math.sqrt((a * a + b * b + c * c) / 3);
      }
      const outliers = Math.max(1, Math.round(size * 0.005));
      for (let k = 0; k < outliers; k++) {
        const i = Math.floor(rand() * size);
        const sign = rand() < 0.5 ? -1 : 1;
        out[i] = sign * (10 + 20 * rand());
      }
      break;
    }
    default:
      throw new RangeError(`unknown distribution '${distribution}' (known: ${Object.keys(DISTRIBUTIONS).join(', ')})`);
  }
  return out;
}

/**
 * Parses numbers separated by commas, semicolons and/or whitespace into a Float32Array. Throws a
 * SyntaxError naming the first bad token and its position; rejects empty input and values that
 * overflow float32.
 */
export function parseNumbers(text) {
  if (typeof text !== 'string') throw new TypeError('parseNumbers: text must be a string');
  const values = [];
  const re = /[^\s,;]+/g;
  let m;
  while ((m = re.exec(text)) !== null) {
    const token = m[0];
    // Number() accepts '', '0x10', 'Infinity'...: only plain decimal literals are allowed here.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token)) {
      throw new SyntaxError(`not a number: '${token.length > 24 ? token.slice(0, 24) + '…' : token}' ` +
        `(value ${values.length + 1}, character ${m.index + 1}); separate numbers with commas or spaces`);
    }
    const v = Number(token);
    if (!Number.isFinite(Math.fround(v))) {
      throw new RangeError(`value ${values.length + 1} ('${token}') is outside the float32 range`);
    }
    values.push(v);
  }
  if (values.length === 0) throw new SyntaxError('no numbers found: paste numbers separated by commas or spaces');
  if (values.length > MAX_SIZE) throw new RangeError(`too many numbers (${values.length}; at most ${MAX_SIZE})`);
  return Float32Array.from(values);
}

/** { min, max } of finite data (NaN when empty). */
export function range(values) {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length ? { min, max } : { min: NaN, max: NaN };
}

/**
 * Histogram with `bins` equal-width bins over [lo, hi]: { edges: Float64Array(bins + 1),
 * counts: Float64Array(bins) }. A zero-width range is widened by 0.5 on each side.
 */
export function histogram(values, bins = 100, lo, hi) {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer (got ${bins})`);
  if (lo === undefined || hi === undefined) ({ min: lo, max: hi } = range(values));
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const width = (hi - lo) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = lo + i * width;
  edges[bins] = hi;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.floor((v - lo) / width);
    if (b >= bins) b = bins - 1;
    counts[b]++;
  }
  return { edges, counts };
}

/** Distinct values (ascending) and how many elements take each: { values: Float64Array, counts: Float64Array }. */
export function distinctLevels(values) {
  const sorted = Float64Array.from(values).sort();
  const out = [];
  const counts = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (out.length && out[out.length - 1] === v) counts[counts.length - 1]++; // -0 and 0 are one level
    else {
      out.push(v);
      counts.push(1);
    }
  }
  return { values: Float64Array.from(out), counts: Float64Array.from(counts) };
}

/** Bytes the quantized tensor occupies: packed data plus scales, zero points and codebook. */
export function quantizedBytes(q) {
  return {
    data: q.data.byteLength,
    params: q.scale.byteLength + q.zeroPoint.byteLength + (q.codebook ? q.codebook.byteLength : 0),
  };
}

/** FNV-1a over the bytes of a typed array, as 8 hex digits: a fingerprint to compare data across engines. */
export function fingerprint(typed) {
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
