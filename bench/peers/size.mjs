// Download size of what a page loads: gzipSize(files) for any set of files (wasmq's dist/ too),
// and the files a page loads for onnxruntime-web.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Raw and gzipped sizes of each file and their sums (each file gzipped on its own, as a server
 * sends them). level: zlib level, default 9 (what a precompressing static host does).
 * → { files: [{ file, bytes, gzipBytes }], bytes, gzipBytes }
 */
export function gzipSize(files, { level = 9 } = {}) {
  if (!Array.isArray(files) || files.length === 0) throw new Error('gzipSize: expected a non-empty list of file paths');
  const rows = files.map((file) => {
    const buf = readFileSync(file);
    return { file, bytes: buf.length, gzipBytes: gzipSync(buf, { level }).length };
  });
  return {
    files: rows,
    bytes: rows.reduce((a, r) => a + r.bytes, 0),
    gzipBytes: rows.reduce((a, r) => a + r.gzipBytes, 0),
  };
}

/**
 * Files a page loads for onnxruntime-web (installed version):
 *  'wasm'    — `import 'onnxruntime-web/wasm'` (CPU/wasm only): ort.wasm.bundle.min.mjs (glue inlined)
 *              + ort-wasm-simd-threaded.wasm;
 *  'default' — `import 'onnxruntime-web'` (wasm + WebGPU/WebGL): ort.bundle.min.mjs
 *              + ort-wasm-simd-threaded.jsep.wasm.
 */
export function ortWebPageFiles(variant = 'wasm') {
  const req = createRequire(import.meta.url);
  const dist = path.dirname(req.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  const sets = {
    wasm: ['ort.wasm.bundle.min.mjs', 'ort-wasm-simd-threaded.wasm'],
    default: ['ort.bundle.min.mjs', 'ort-wasm-simd-threaded.jsep.wasm'],
  };
  if (!sets[variant]) throw new Error(`ortWebPageFiles: variant must be one of ${Object.keys(sets).join(', ')}`);
  return sets[variant].map((f) => path.join(dist, f));
}

/** Installed onnxruntime-web version. */
export function ortWebVersion() {
  const req = createRequire(import.meta.url);
  const dist = path.dirname(req.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  return JSON.parse(readFileSync(path.join(dist, '..', 'package.json'), 'utf8')).version;
}
