// The cross pipeline's own build for this machine (zig, x86_64-linux-gnu,
// the same flags and source as the musl addons the packages carry) runs the
// netlink watcher suite: watcher.test.ts with UPDYN_NETLINK_ADDON naming it,
// which test/support/addon-shim.ts then loads instead of dist/netlink.node.
// A build that fails to load makes the watcher fall back to polling, and the
// suite's "expected a netlink watcher" check fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { builtPath, needsNetns, repoRoot } from '../support/env';
import { CROSS_TIMEOUT_MS, crossAddon, needsZig } from '../support/cross';

test('the cross-built x86_64-linux-gnu addon passes the netlink watcher suite', { timeout: CROSS_TIMEOUT_MS }, async (t) => {
  if (!needsZig(t) || !needsNetns(t)) return;
  const addon = await crossAddon('x86_64-linux-gnu');
  const env: NodeJS.ProcessEnv = { ...process.env, UPDYN_NETLINK_ADDON: addon };
  // a nested run of its own, not a subtest of ours
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--test', '--test-reporter=tap', '--test-name-pattern=^the netlink watcher', builtPath('test/detect/watcher.test')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
  assert.equal(code, 0, out.slice(-3000));
  assert.equal(count('fail'), 0, out.slice(-3000));
  assert.ok(count('pass') >= 10, `the netlink watcher's tests ran (${count('pass')} passed)`);
  // tests the name pattern leaves out are reported as skipped; any other skip is a failure
  assert.doesNotMatch(out, /# SKIP(?! test name does not match pattern)/, 'a watcher test skipped itself');
  t.diagnostic(`netlink watcher suite with ${addon}: ${count('pass')} passed`);
});
