// Unit tests of web/data.mjs, the page's pure helpers: seeded generators, number parsing, histogram, levels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISTRIBUTIONS, generate, mulberry32, parseNumbers, histogram, distinctLevels, fingerprint, range } from '../../web/data.mjs';

function moments(x) {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let s2 = 0;
  for (const v of x) s2 += (v - mean) ** 2;
  return { mean, variance: s2 / x.length };
}

test('mulberry32 is deterministic, in [0, 1), and seeds differ', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  let same = 0;
  for (let i = 0; i < 10000; i++) {
    const va = a();
    assert.equal(va, b());
    assert.ok(va >= 0 && va < 1);
    if (va === c()) same++;
  }
  assert.ok(same < 5);
});

test('generators: same seed same data, other seed other data, the asked size, float32', () => {
  for (const d of Object.keys(DISTRIBUTIONS)) {
    const x = generate(d, { seed: 9, size: 1001 });
    assert.ok(x instanceof Float32Array);
    assert.equal(x.length, 1001);
    assert.deepStrictEqual(generate(d, { seed: 9, size: 1001 }), x, d);
    assert.notEqual(fingerprint(generate(d, { seed: 10, size: 1001 })), fingerprint(x), d);
    assert.ok(x.every(Number.isFinite), d);
  }
});

test('generators have the documented moments', () => {
  const n = 200000;
  const normal = moments(generate('normal', { seed: 1, size: n }));
  assert.ok(Math.abs(normal.mean) < 0.01 && Math.abs(normal.variance - 1) < 0.02, JSON.stringify(normal));
  const laplace = moments(generate('laplace', { seed: 1, size: n }));
  assert.ok(Math.abs(laplace.mean) < 0.02 && Math.abs(laplace.variance - 2) < 0.05, JSON.stringify(laplace));
  const u = generate('uniform', { seed: 1, size: n });
  const um = moments(u);
  const ur = range(u);
  assert.ok(ur.min >= -1 && ur.max < 1 && Math.abs(um.variance - 1 / 3) < 0.01, JSON.stringify({ um, ur }));
  const h = generate('heavy-tailed', { seed: 1, size: n });
  const big = h.filter((v) => Math.abs(v) >= 10).length;
  // 0.5% outliers (a few may land on the same index) plus the t3 tail beyond 10 (~0.1%).
  assert.ok(big > 0.004 * n && big < 0.008 * n, `values beyond ±10: ${big}`);
});

test('generate rejects bad arguments', () => {
  assert.throws(() => generate('cauchy'), /unknown distribution 'cauchy'/);
  assert.throws(() => generate('normal', { size: 0 }), /size/);
  assert.throws(() => generate('normal', { size: 1.5 }), /size/);
  assert.throws(() => generate('normal', { seed: -1 }), /seed/);
});

test('parseNumbers accepts commas, semicolons, spaces and newlines; rejects the rest with a position', () => {
  assert.deepStrictEqual(parseNumbers(' 1, -2.5;3e2\n\t.5  +4. -0.125e-1 '), Float32Array.from([1, -2.5, 300, 0.5, 4, -0.0125]));
  assert.throws(() => parseNumbers(''), /no numbers/);
  assert.throws(() => parseNumbers(' ,, ; '), /no numbers/);
  assert.throws(() => parseNumbers('1, 2, abc'), /'abc' \(value 3, character 7\)/);
  for (const bad of ['0x10', 'Infinity', 'NaN', '1e', '--1', '1.2.3', '1,2,3-']) {
    assert.throws(() => parseNumbers(bad), SyntaxError, bad);
  }
  assert.throws(() => parseNumbers('1e39'), /float32 range/);
});

test('histogram counts every value once, edges span the range', () => {
  const x = generate('normal', { seed: 3, size: 5000 });
  const { min, max } = range(x);
  const h = histogram(x, 37);
  assert.equal(h.edges.length, 38);
  assert.equal(h.edges[0], min);
  assert.equal(h.edges[37], max);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), x.length);
  const constant = histogram(new Float32Array([2, 2, 2]), 4);
  assert.deepStrictEqual(Array.from(constant.counts).reduce((a, b) => a + b, 0), 3);
  assert.ok(constant.edges[0] < 2 && constant.edges[4] > 2);
});

test('distinctLevels sorts, merges duplicates and counts them', () => {
  const l = distinctLevels(new Float32Array([0.5, -1, 0.5, 0, -0, 2, -1, 0.5]));
  assert.deepStrictEqual(Array.from(l.values), [-1, -0, 0.5, 2]);
  assert.deepStrictEqual(Array.from(l.counts), [2, 2, 3, 1]);
});
