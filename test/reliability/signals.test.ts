// Signal storms against the shipped daemon: 100 × SIGHUP + SIGUSR2 + SIGUSR1
// must not become a checkip storm (issue 13: 294 checkip requests in 10 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import { tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { Daemon } from '../support/updyn';
import { USER, conf, sleep } from './support';

test('100 × SIGHUP + SIGUSR2 + SIGUSR1 in 10 s: at most one checkip per 10 s per family, and the last wake-up still asks', async (t) => {
  const provider = await startProvider({ accounts: [{ user: USER, token: TOKEN, hosts: ['example.zerigo.com'] }] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.5');
  provider.setCheckipAnswer('ipv6', '2001:db8::5');
  const dir = tempDir(t);
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  const file = join(dir, 'updyn.conf');
  writeFileSync(file, conf({ stateDir, services: [{ updateUrl: `${provider.url}/dynamic`, checkip: provider.url, token: TOKEN }] }), { mode: 0o600 });
  const checks = (family: string) => provider.requests.filter((r) => r.endpoint === 'checkip' && r.remoteFamily === family).length;

  const d = new Daemon(['-c', file]);
  t.after(() => d.stop());
  await d.waitFor(/AAAA: updated 2001:db8::5 \(HTTP 200/);
  await d.waitFor(/ A: updated 203\.0\.113\.5 \(HTTP 200/);
  const started = Date.now();
  for (let i = 0; i < 100; i++) {
    for (const sig of ['SIGHUP', 'SIGUSR2', 'SIGUSR1'] as const) d.signal(sig);
    await sleep(100);
  }
  const stormMs = Date.now() - started;
  // the daemon handled the storm (the kernel merges a signal sent while one is pending, so not every one)
  await d.waitFor(/SIGHUP: config reloaded/);
  await d.waitFor(/SIGUSR2: re-checking addresses/);
  const reloads = d.lines.filter((l) => /SIGHUP: config reloaded/.test(l)).length;
  const rechecks = d.lines.filter((l) => /SIGUSR2: re-checking/.test(l)).length;
  // a wake-up held back is deferred, not dropped: one at start, one 10 s later
  // (inside the storm), one deferred past its end
  const deadline = Date.now() + 25_000;
  while ((checks('ipv4') < 3 || checks('ipv6') < 3) && Date.now() < deadline) await sleep(100);
  // stopped, the daemon asks nothing more: the counts are final
  assert.equal((await d.stop()).code, 0);
  const v4 = checks('ipv4');
  const v6 = checks('ipv6');
  t.diagnostic(`storm ${stormMs} ms: ${reloads} reloads, ${rechecks} re-checks handled; checkip requests ipv4 ${v4}, ipv6 ${v6}`);
  assert.ok(reloads >= 10 && rechecks >= 10, `${reloads} reloads, ${rechecks} re-checks`);
  const windows = Math.ceil(stormMs / 10_000);
  for (const [family, n] of [['ipv4', v4], ['ipv6', v6]] as const) {
    assert.ok(n >= 3 && n <= 2 + windows, `${family}: ${n} checkip requests for a ${stormMs} ms storm`);
  }
});
