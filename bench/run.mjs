// `npm run bench`: compiles the benchmarks and runs each, printing numbers.
// Not a test: nothing here passes or fails on a threshold.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compileTests, root } from '../build/compile-tests.mjs';

await compileTests(['bench']);
const only = process.argv.slice(2);
for (const name of ['size', 'latency', 'notify', 'idle']) {
  if (only.length && !only.includes(name)) continue;
  console.log('');
  const r = spawnSync(process.execPath, [join(root, '.build/bench', `${name}.js`)], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
