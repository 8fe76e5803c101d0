// Node entry point: reads the .wasm next to this file from disk (Node's fetch cannot load file
// URLs for Emscripten's loader), then defers to index.mjs.
import { readFile } from 'node:fs/promises';
import { init as initWithOptions, simdSupported } from './index.mjs';

export * from './index.mjs';

export async function init(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('init: options must be an object');
  if (options.wasmBinary || options.wasmPaths) return initWithOptions(options);
  const simd = options.simd === undefined ? simdSupported() : Boolean(options.simd);
  const file = new URL(simd ? './wasmq-simd.wasm' : './wasmq-scalar.wasm', import.meta.url);
  return initWithOptions({ ...options, simd, wasmBinary: await readFile(file) });
}
