// Shared helpers for the node:test suites: the two builds, seeded data, and error assertions.
import assert from 'node:assert/strict';
import { init } from '../../dist/node.mjs';

let builds;
/** { simd, scalar } Wasmq instances (loaded once per test file). */
export async function loadBuilds() {
  builds ??= Promise.all([init({ simd: true }), init({ simd: false })]).then(([simd, scalar]) => ({ simd, scalar }));
  return builds;
}

/** mulberry32: small seeded PRNG, so JS test data is reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(n, seed, std = 1) {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return out;
}

/** Asserts fn throws an Error (not a number, not an abort) whose message matches re. */
export function throwsMessage(fn, re) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, `expected an Error, got ${typeof e}: ${e}`);
    assert.match(e.message, re);
    return true;
  });
}
