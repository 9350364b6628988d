// checkip servers on a bad day: garbage, a private or wrong-family address, an
// answer far too long, silence. Nothing of it is ever published; `once` says why
// and exits 1; the daemon keeps the last good address, warns once per cause (not
// at every poll), and picks up the next good answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import type { Mode } from '../provider/types';
import { tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { Daemon } from '../support/updyn';
import { USER, conf, measuredRun, output, sleep } from './support';

const HOST = 'example.zerigo.com';

async function setup(t: import('node:test').TestContext, ipv6 = false) {
  const provider = await startProvider({ accounts: [{ user: USER, token: TOKEN, hosts: [HOST] }] });
  t.after(() => provider.stop());
  const dir = tempDir(t);
  const file = join(dir, 'updyn.conf');
  writeFileSync(
    file,
    conf({ stateDir: join(dir, 'state'), services: [{ updateUrl: `${provider.url}/dynamic`, checkip: provider.url, token: TOKEN, ipv6, timeout: 1 }] }),
    { mode: 0o600 },
  );
  const updates = () => provider.requests.filter((r) => r.endpoint === 'update');
  return { provider, dir, file, updates };
}

async function onceWith(t: import('node:test').TestContext, arrange: (p: Awaited<ReturnType<typeof setup>>['provider']) => void) {
  const s = await setup(t);
  arrange(s.provider);
  const started = Date.now();
  const r = await measuredRun(['once', '-c', s.file], s.dir);
  assert.doesNotMatch(output(r), /\n\s+at |internal error/);
  assert.equal(s.updates().length, 0, 'nothing published');
  assert.equal(r.code, 1, 'a failed detection is exit 1');
  return { r, ms: Date.now() - started };
}

const LINE = /^home example\.zerigo\.com A: no address: ip_source checkip; (.*)$/m;

test('checkip garbage is not an address: nothing published, the answer quoted in one printable line', async (t) => {
  const { r } = await onceWith(t, (p) => p.setMode('checkip', { kind: 'garbage' }));
  const why = LINE.exec(r.stderr)?.[1];
  // random bytes reach the log as printable ASCII only: no control, C1 or bidi character
  assert.match(why ?? '', /^not a checkip answer: "[\x20-\x7e]*…?"$/);
});

test('checkip answering a private, loopback, CGNAT or link-local address: never published', async (t) => {
  for (const address of ['10.1.2.3', '192.168.1.1', '172.16.0.9', '100.64.1.2', '127.0.0.1', '169.254.1.1', '0.0.0.1']) {
    const { r } = await onceWith(t, (p) => p.setCheckipAnswer('ipv4', address));
    assert.equal(LINE.exec(r.stderr)?.[1], `checkip answered ${address}, which is not a public address`);
  }
});

test('checkip answering the other family: never published', async (t) => {
  const { r } = await onceWith(t, (p) => p.setCheckipAnswer('ipv4', '2001:db8::1'));
  assert.equal(LINE.exec(r.stderr)?.[1], 'asked for ipv4, got <ipv6>');
});

test('an oversized checkip answer (1 MB) is cut at 512 bytes and refused', async (t) => {
  const { r } = await onceWith(t, (p) => p.setMode('checkip', { kind: 'huge-body', bytes: 1024 * 1024 }));
  assert.equal(LINE.exec(r.stderr)?.[1], 'checkip answer too long');
  assert.ok(r.usage!.maxRssKb < 120 * 1024, `peak RSS ${r.usage!.maxRssKb} kB`);
});

test('a checkip server that never answers costs one timeout', async (t) => {
  const { r, ms } = await onceWith(t, (p) => p.setMode('checkip', { kind: 'hang' }));
  assert.equal(LINE.exec(r.stderr)?.[1], 'checkip failed: no answer within 1 s');
  assert.ok(ms < 1000 + 1500, `the run took ${ms} ms`);
});

test('the daemon keeps the last good address through checkip faults, warns once per cause, and takes the next good answer', async (t) => {
  const s = await setup(t);
  s.provider.setCheckipAnswer('ipv4', '203.0.113.5');
  // wake-ups may ask checkip every 100 ms here (10 s by default: signals.test.ts)
  const d = new Daemon(['-c', s.file], { env: { UPDYN_WAKE_INTERVAL_MS: '100' } });
  t.after(() => d.stop());
  await d.waitFor(/A: updated 203\.0\.113\.5 \(HTTP 200/);
  const checks = () => s.provider.requests.filter((r) => r.endpoint === 'checkip').length;
  /** SIGUSR2, then its checkip request: one at a time, so its arrival proves every answer before it was handled */
  const recheck = async () => {
    const before = checks();
    d.signal('SIGUSR2');
    const deadline = Date.now() + 10_000;
    while (checks() === before) {
      if (Date.now() > deadline) throw new Error(`no checkip request after SIGUSR2\n${d.lines.join('\n')}`);
      await sleep(20);
    }
  };
  const faults: Mode[] = [{ kind: 'status', status: 200, body: '<html>ok</html>' }, { kind: 'huge-body', bytes: 4096 }, { kind: 'hang' }, { kind: 'status', status: 500 }];
  for (const mode of faults) {
    s.provider.setMode('checkip', mode);
    // three re-checks for each fault: one warning each time the cause changes, not three
    for (let i = 0; i < 3; i++) await recheck();
  }
  s.provider.setCheckipAnswer('ipv4', '2001:db8::9');
  s.provider.setMode('checkip', { kind: 'normal' });
  await recheck();
  // one more, answered: its request proves the answer before it was handled
  s.provider.setCheckipAnswer('ipv4', '203.0.113.5');
  await recheck();
  const warnings = d.lines.filter((l) => /^home A: ip_source checkip; /.test(l));
  t.diagnostic(`checkip warnings for ${faults.length + 1} causes x 3 re-checks: ${warnings.length}`);
  assert.equal(warnings.length, faults.length + 1, warnings.join('\n'));
  assert.equal(s.updates().length, 1, 'no fault made it to the provider');
  const status = JSON.parse(readFileSync(join(s.dir, 'state', 'status.json'), 'utf8'));
  assert.equal(status.services[0].records[0].current, '203.0.113.5', 'the last good address is kept');

  s.provider.setCheckipAnswer('ipv4', '198.51.100.7');
  d.signal('SIGUSR2');
  await d.waitFor(/A: updated 203\.0\.113\.5 -> 198\.51\.100\.7 \(HTTP 200/);
  assert.equal((await d.stop()).code, 0);
});
