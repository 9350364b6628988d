// `npm test`: type-check, build the shipped bundle, compile the suites, run them
// with node:test. Extra arguments filter suites by path: `npm test -- config`.
import { spawnSync } from 'node:child_process';
import { bundle } from './build.mjs';
import { compileTests, root } from './compile-tests.mjs';
import { prebuildCrossAddons } from './cross-addon.mjs';

function step(name, cmd, args) {
  console.log(`\n== ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

if (process.env.UPDYN_TEST_NO_TSC === '1') console.log('\n== typecheck skipped (UPDYN_TEST_NO_TSC=1)');
else step('typecheck', process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '--noEmit', '-p', root]);
console.log('\n== bundle');
await bundle();
const compiled = await compileTests();
const filters = process.argv.slice(2);
const suites = compiled
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (suites.length === 0) {
  console.error('no test suites matched');
  process.exit(1);
}
// The cross-built addons the proofs load, built (or found cached) before the
// suites start: a cold build compiles libc++ per target, longer than a suite's timeout.
if (suites.some((f) => /(cross-addon|cross-watcher|qemu-arm64)\.test\.js$/.test(f))) await prebuildCrossAddons();
step(`node:test (${suites.length} suites)`, process.execPath, [
  '--test',
  '--test-timeout=180000',
  '--test-reporter=spec',
  ...suites,
]);
