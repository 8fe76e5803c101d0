// Kernel benchmarks: runs the wasm C++ driver (build/wasm-simd/wasmq_bench.cjs) under Node and
// passes its JSON lines through, then the tfjs-backend-wasm matMul peer (bench/peers/tfjs-matmul.mjs)
// in its own process. Options: --quick, --filter NAME (C++ cases; 'tfjs' selects the peer).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const driver = path.join(root, 'build/wasm-simd/wasmq_bench.cjs');
if (!existsSync(driver)) {
  console.error(`${driver} is missing: run npm run build first`);
  process.exit(1);
}
const args = process.argv.slice(2);
const pass = [];
if (args.includes('--quick')) pass.push('--quick');
const f = args.indexOf('--filter');
if (f >= 0) pass.push('--filter', args[f + 1]);
for (const suite of ['vcvt', 'gemm', 'conv', 'elementwise']) {
  const r = spawnSync(process.execPath, [driver, '--suite', suite, ...pass], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// Peer: same square GEMM shapes in float32 through tfjs-backend-wasm (XNNPACK), single thread.
if (f < 0 || 'tfjs-f32'.includes(args[f + 1])) {
  const peer = path.join(root, 'bench/peers/tfjs-matmul.mjs');
  const r = spawnSync(process.execPath, [peer, ...(args.includes('--quick') ? ['--quick'] : [])],
    { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
