// `updyn once` reading a real device through the kernel: a veth pair in a
// private network namespace, documentation addresses on it, the test provider
// inside the same namespace on its loopback. Root only (fails under CI=true).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns } from '../support/netns';
import { spawnProvider } from '../provider/remote';
import { tempDir } from '../support/env';
import { TOKEN, uciFile } from '../support/fixtures';
import { runUpdyn } from '../support/updyn';

const ACCOUNT = `login@example.com:${TOKEN}:example.zerigo.com`;

async function router(t: import('node:test').TestContext) {
  const ns = await createNetns(t);
  if (!ns) return null;
  await ns.addVeth('v0', 'v0p');
  const provider = await spawnProvider(['--account', ACCOUNT, '--quiet'], { netns: ns.name });
  t.after(() => provider.stop());
  const dir = tempDir(t);
  const conf = join(dir, 'updyn.conf');
  const write = (over: Partial<Parameters<typeof uciFile>[0]> = {}) =>
    writeFileSync(conf, uciFile({ url: provider.url, url6: provider.url6 ?? provider.url, stateDir: join(dir, 'state'), device: 'v0', ...over }), { mode: 0o600 });
  write();
  return { ns, provider, conf, write };
}

const updatesOf = async (p: { requests(): Promise<{ endpoint: string; ip?: string }[]> }) =>
  (await p.requests()).filter((r) => r.endpoint === 'update');

for (const mode of ['netlink', 'fallback'] as const) {
  const env: Record<string, string> = mode === 'fallback' ? { UPDYN_NETLINK_ADDON: 'off' } : {};

  test(`once reads the device's addresses through ${mode} and updates A and AAAA`, async (t) => {
    const r0 = await router(t);
    if (!r0) return;
    const { ns, provider, conf } = r0;
    await ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
    await ns.ip('-6', 'addr', 'add', '2001:db8::5/64', 'dev', 'v0', 'nodad');
    const r = await runUpdyn(['once', '-c', conf], { netns: ns.name, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /home example\.zerigo\.com A: address 203\.0\.113\.5 \(interface v0\)/);
    assert.match(r.stdout, /home example\.zerigo\.com AAAA: address 2001:db8::5 \(interface v0\)/);
    assert.deepEqual((await provider.records()).get('example.zerigo.com'), { A: '203.0.113.5', AAAA: '2001:db8::5' });
    if (mode === 'fallback') assert.doesNotMatch(r.stdout + r.stderr, /Error|at /);
  });
}

test('once skips temporary, deprecated and ULA IPv6 addresses and private IPv4 falls back to checkip', async (t) => {
  const r0 = await router(t);
  if (!r0) return;
  const { ns, provider, conf } = r0;
  await ns.ip('addr', 'add', '10.1.2.3/24', 'dev', 'v0');
  await ns.ip('-6', 'addr', 'add', 'fd00::5/64', 'dev', 'v0', 'nodad');
  await ns.ip('-6', 'addr', 'add', '2001:db8::7/64', 'dev', 'v0', 'nodad', 'preferred_lft', '0');
  await ns.ip('-6', 'addr', 'add', '2001:db8::8/64', 'dev', 'v0', 'nodad');
  await provider.setCheckipAnswer('ipv4', '198.51.100.20');
  const r = await runUpdyn(['once', '-c', conf], { netns: ns.name });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /A: address 198\.51\.100\.20 \(checkip, 10\.1\.2\.3 is not public\)/);
  assert.match(r.stdout, /AAAA: address 2001:db8::8 \(interface v0\)/);
  assert.deepEqual((await provider.records()).get('example.zerigo.com'), { A: '198.51.100.20', AAAA: '2001:db8::8' });
});

test('a device that does not exist is reported, not a crash', async (t) => {
  const r0 = await router(t);
  if (!r0) return;
  const { ns, provider, conf, write } = r0;
  write({ device: 'nosuchdev', ipSource: 'interface' });
  const r = await runUpdyn(['once', '-c', conf], { netns: ns.name });
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.match(r.stdout + r.stderr, /no address \(device not present\)/);
  assert.equal((await updatesOf(provider)).length, 0);
});
