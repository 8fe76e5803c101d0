// Benchmark runner: `npm run bench -- [--suite NAME] [--json] [--quick]`. Each suite in
// bench/suites/<name>.mjs runs in its own process (peers such as onnxruntime must not share one).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const suiteArg = args.indexOf('--suite');
const available = readdirSync(path.join(here, 'suites')).filter((f) => f.endsWith('.mjs')).map((f) => f.slice(0, -4)).sort();
const wanted = suiteArg >= 0 ? args[suiteArg + 1].split(',') : available;
for (const s of wanted) {
  if (!available.includes(s)) {
    console.error(`unknown suite '${s}' (available: ${available.join(', ')})`);
    process.exit(2);
  }
}
const passOn = args.filter((a, i) => !(a === '--suite' || (suiteArg >= 0 && i === suiteArg + 1)));
let failed = false;
for (const s of wanted) {
  if (!json) console.log(`\n== ${s} ==`);
  const r = spawnSync(process.execPath, [path.join(here, 'suites', `${s}.mjs`), ...passOn], {
    stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 28,
  });
  const lines = r.stdout.split('\n').filter((l) => l.trim());
  for (const line of lines) {
    if (json) {
      console.log(line);
    } else {
      try {
        const o = JSON.parse(line);
        console.log(Object.entries(o).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`).join('  '));
      } catch {
        console.log(line);
      }
    }
  }
  if (r.status !== 0) {
    console.error(`suite ${s} exited with ${r.status}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
