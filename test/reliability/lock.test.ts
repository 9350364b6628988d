// `once` and `run` on one state directory: two processes never send for it.
// The lock (STATE_DIR/lock) survives kill -9 by being stale when its pid is
// gone, reused or from another boot; `once` next to the daemon hands its pass
// to the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import { tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { Daemon, runUpdyn } from '../support/updyn';
import { USER, conf, output, slowAnswers } from './support';

const HOST = 'example.zerigo.com';

/** Whether a symlink is there (existsSync follows it, and a lock's target is no file). */
const present = (p: string) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

async function setup(t: import('node:test').TestContext) {
  const provider = await startProvider({ accounts: [{ user: USER, token: TOKEN, hosts: [HOST] }] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.30');
  const dir = tempDir(t);
  const updates = () => provider.requests.filter((r) => r.endpoint === 'update');
  /** a config of its own state directory */
  const config = (name: string) => {
    const stateDir = join(dir, name);
    mkdirSync(stateDir, { recursive: true });
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, conf({ stateDir, services: [{ updateUrl: `${provider.url}/dynamic`, checkip: provider.url, token: TOKEN, ipv6: false }] }), { mode: 0o600 });
    return { stateDir, file };
  };
  return { provider, dir, updates, config };
}

test('once and run started together on one state directory, 50 rounds: one request each round, never two', async (t) => {
  const s = await setup(t);
  const doubles: string[] = [];
  for (let round = 0; round < 50; round++) {
    // a fresh state directory each round: neither process knows of a registration
    const c = s.config(`round${round}`);
    const before = s.updates().length;
    const d = new Daemon(['-c', c.file]);
    const once = runUpdyn(['once', '-c', c.file]);
    const o = await once;
    assert.equal(o.code, 0, output(o));
    // the daemon has seen the address (and so decided whether to send) ...
    await d.waitFor(/A: address 203\.0\.113\.30 \(checkip/, 20_000);
    // ... and once stopped, it has finished whatever it sent: the count is final
    assert.equal((await d.stop()).code, 0, d.lines.join('\n'));
    const n = s.updates().length - before;
    if (n !== 1) doubles.push(`round ${round}: ${n} requests\n${output(o)}${d.lines.join('\n')}`);
  }
  assert.deepEqual(doubles, [], `${doubles.length} of 50 rounds did not send exactly once:\n${doubles.slice(0, 3).join('\n---\n')}`);
});

test('once while the daemon runs: the daemon is asked to re-check (SIGUSR2) and sends the change, once alone sends nothing', async (t) => {
  const s = await setup(t);
  const c = s.config('state');
  const d = new Daemon(['-c', c.file]);
  t.after(() => d.stop());
  await d.waitFor(/A: updated 203\.0\.113\.30 \(HTTP 200/);
  const target = readlinkSync(join(c.stateDir, 'lock'));
  assert.match(target, new RegExp(`^${d.child.pid}:run:\\d+:[0-9a-f-]+$`));
  s.provider.setCheckipAnswer('ipv4', '203.0.113.31');
  const o = await runUpdyn(['once', '-c', c.file]);
  assert.equal(o.code, 0, output(o));
  assert.match(o.stdout, new RegExp(`^once: updyn run \\(pid ${d.child.pid}\\) serves ${c.stateDir}; asked it to re-check the addresses now \\(SIGUSR2\\) instead of sending from here$`, 'm'));
  assert.doesNotMatch(output(o), /: sending /);
  await d.waitFor(/A: updated 203\.0\.113\.30 -> 203\.0\.113\.31 \(HTTP 200/);
  // --force asks the daemon for a forced update (SIGUSR1)
  const f = await runUpdyn(['once', '-c', c.file, '--force']);
  assert.match(f.stdout, /asked it to force an update now \(SIGUSR1\)/);
  await d.waitFor(/A: sending 203\.0\.113\.31 \(forced\)/);
  await d.waitFor(/A: refreshed 203\.0\.113\.31|A: updated 203\.0\.113\.31 \(HTTP 200/);
  // a second daemon on the same state directory refuses to start
  const second = await runUpdyn(['run', '-c', c.file], { timeoutMs: 15_000 });
  assert.equal(second.code, 1, output(second));
  assert.match(second.stderr, new RegExp(`^run: updyn run \\(pid ${d.child.pid}\\) already serves ${c.stateDir} \\(\\S+/lock\\); not starting a second daemon$`, 'm'));
  assert.equal((await d.stop()).code, 0);
  assert.equal(present(join(c.stateDir, 'lock')), false, 'the daemon removes its lock when it stops');
  assert.equal(s.updates().length, 3);
});

test('a lock left by kill -9, by a reused pid or from another boot is stale: once takes it and sends', async (t) => {
  const s = await setup(t);
  const c = s.config('state');
  const d = new Daemon(['-c', c.file]);
  t.after(() => d.stop());
  await d.waitFor(/A: updated 203\.0\.113\.30 \(HTTP 200/);
  d.child.kill('SIGKILL');
  await d.exited;
  assert.ok(present(join(c.stateDir, 'lock')), 'kill -9 left the lock');
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const myStart = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
  const stale: [string, string | null][] = [
    ['the dead daemon', null],
    // a live pid (this test's) that started at another time: the pid was reused
    ['a reused pid', `${process.pid}:run:1:${boot}`],
    // this very process, but written under another boot (a state_dir on flash)
    ['another boot', `${process.pid}:run:${myStart}:00000000-0000-0000-0000-000000000000`],
    ['garbage', 'not a lock'],
  ];
  s.provider.setCheckipAnswer('ipv4', '203.0.113.31');
  for (const [i, [why, target]] of stale.entries()) {
    // the first in the dead daemon's state directory, each other in one of its own
    const dir = i === 0 ? c : s.config(`state${i}`);
    const lock = join(dir.stateDir, 'lock');
    if (target !== null) symlinkSync(target, lock);
    const o = await runUpdyn(['once', '-c', dir.file]);
    assert.equal(o.code, 0, `${why}: ${output(o)}`);
    assert.match(o.stdout, /A: updated (\S+ -> )?203\.0\.113\.31 \(HTTP 200/, why);
    assert.equal(present(lock), false, `${why}: once removes its lock`);
  }
});

test('a live once holds the lock: a daemon started meanwhile waits for its pass, then sends nothing it already sent', async (t) => {
  const s = await setup(t);
  const c = s.config('state');
  // a `once` that holds its lock while the provider's answer takes 1.5 s
  const slow = await slowAnswers(t, s.provider.url, () => 1500);
  writeFileSync(c.file, readFileSync(c.file, 'utf8').replace(`${s.provider.url}/dynamic`, `${slow}/dynamic`));
  const once = runUpdyn(['once', '-c', c.file]);
  const lock = join(c.stateDir, 'lock');
  while (s.updates().length === 0) await new Promise((r) => setTimeout(r, 20)); // bounded by the runUpdyn timeout
  assert.match(readlinkSync(lock), /^\d+:once:/, 'the request is out: once holds the lock');
  const d = new Daemon(['-c', c.file]);
  t.after(() => d.stop());
  await d.waitFor(/^run: waiting for updyn once \(pid \d+\) to finish with /);
  const o = await once;
  assert.equal(o.code, 0, output(o));
  await d.waitFor(/A: address 203\.0\.113\.30 \(checkip/);
  // stopped, the daemon has finished whatever it sent: nothing, the pass registered the address
  assert.equal((await d.stop()).code, 0);
  assert.equal(s.updates().length, 1, d.lines.join('\n'));
});
