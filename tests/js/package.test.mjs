// The npm package: `npm pack` ships exactly the built modules, wrapper and types, and the
// "exports" map resolves for Node (node.mjs) and for bundlers/pages (index.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('npm pack contains the modules, wrapper and types, and nothing else', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const files = JSON.parse(out)[0].files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'README.md', 'dist/index.d.ts', 'dist/index.mjs', 'dist/model.d.ts', 'dist/model.mjs', 'dist/node.mjs', 'dist/quantize-model.d.ts', 'dist/quantize-model.mjs',
    'dist/wasmq-scalar.mjs', 'dist/wasmq-scalar.wasm', 'dist/wasmq-simd.mjs', 'dist/wasmq-simd.wasm',
    'package.json',
  ]);
});

test('"import \'wasmq\'" resolves to the Node entry and loads', async () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.exports['.'].node, './dist/node.mjs');
  assert.equal(pkg.exports['.'].default, './dist/index.mjs');
  assert.equal(pkg.exports['.'].types, './dist/index.d.ts');
  // Self-reference by package name goes through the "exports" map, as a dependent package would.
  const { init } = await import('wasmq');
  const wq = await init();
  assert.equal(wq.quantize([0, 1]).data.length, 2);
});

test('the browser entry bundles with esbuild and keeps the .wasm URLs resolvable', () => {
  const out = execFileSync(path.join(root, 'node_modules/.bin/esbuild'),
    [path.join(root, 'dist/index.mjs'), '--bundle', '--format=esm', '--platform=browser', '--log-level=error'],
    { encoding: 'utf8' });
  assert.match(out, /wasmq-simd\.wasm/);
  assert.match(out, /wasmq-scalar\.wasm/);
  assert.doesNotMatch(out, /require\("fs"\)|from "node:fs/);
});
