// `updyn once` end to end: the shipped bundle against the test provider over
// real loopback sockets. The provider plays NAT (its checkip answers a
// documentation address), so these tests need no root; the netns suite covers
// addresses read from a real device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import type { Provider } from '../provider/server';
import { tempDir } from '../support/env';
import { TOKEN, uciFile } from '../support/fixtures';
import { runUpdyn } from '../support/updyn';
import type { RunResult } from '../support/updyn';

const ACCOUNT = { user: 'login@example.com', token: TOKEN, hosts: ['example.zerigo.com', 'www.example.zerigo.com'] };

async function setup(t: import('node:test').TestContext, over: Partial<Parameters<typeof uciFile>[0]> = {}) {
  const provider = await startProvider({ accounts: [ACCOUNT] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.5');
  provider.setCheckipAnswer('ipv6', '2001:db8::5');
  const dir = tempDir(t);
  const conf = join(dir, 'updyn.conf');
  const write = (extra: Partial<Parameters<typeof uciFile>[0]> = {}) =>
    writeFileSync(
      conf,
      uciFile({ url: provider.url, url6: provider.url6 ?? provider.url, stateDir: join(dir, 'state'), device: 'lo', ipSource: 'checkip', ...over, ...extra }),
      { mode: 0o600 },
    );
  write();
  const outputs: RunResult[] = [];
  const once = async (...args: string[]) => {
    const r = await runUpdyn(['once', '-c', conf, ...args]);
    outputs.push(r);
    return r;
  };
  return { provider, dir, conf, once, write, outputs };
}

const updates = (p: Provider) => p.requests.filter((r) => r.endpoint === 'update');

test('a first run updates A and AAAA; a second run sends nothing', async (t) => {
  const { provider, once } = await setup(t);
  const first = await once();
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(provider.records.get('example.zerigo.com'), { A: '203.0.113.5', AAAA: '2001:db8::5' });
  assert.match(first.stdout, /^home example\.zerigo\.com A: address 203\.0\.113\.5 \(checkip/m);
  assert.match(first.stdout, /^home example\.zerigo\.com A: updated 203\.0\.113\.5 \(HTTP 200, \d+ ms\)$/m);
  assert.match(first.stdout, /^home example\.zerigo\.com AAAA: updated 2001:db8::5 \(HTTP 200, \d+ ms\)$/m);
  assert.equal(updates(provider).length, 2);

  const second = await once();
  assert.equal(second.code, 0, second.stderr);
  assert.equal(updates(provider).length, 2, 'nothing sent the second time');
  assert.doesNotMatch(second.stdout, /sending/);
});

test('after a change only the changed record is sent', async (t) => {
  const { provider, once } = await setup(t);
  assert.equal((await once()).code, 0);
  provider.setCheckipAnswer('ipv4', '203.0.113.77');
  const r = await once();
  assert.equal(r.code, 0, r.stderr);
  const sent = updates(provider).slice(2);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.ip, '203.0.113.77');
  assert.match(r.stdout, /A: updated 203\.0\.113\.5 -> 203\.0\.113\.77/);
});

test('cron every minute with a flapping address never exceeds the bucket of 3', async (t) => {
  const { provider, once } = await setup(t, { ipv6: false });
  for (let i = 0; i < 8; i++) {
    provider.setCheckipAnswer('ipv4', `203.0.113.${10 + (i % 2)}`);
    await once();
  }
  assert.equal(updates(provider).length, 3);
  const last = await once();
  assert.match(last.stderr, /rate limited; 203\.0\.113\.1\d will be sent at \d\d:\d\d/);
});

test('hosts are independent records: two hosts, both families, four requests', async (t) => {
  const { provider, once } = await setup(t, { hosts: ['example.zerigo.com', 'www.example.zerigo.com'] });
  const r = await once();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(updates(provider).length, 4);
  assert.deepEqual(provider.records.get('www.example.zerigo.com'), { A: '203.0.113.5', AAAA: '2001:db8::5' });
});

test('a wrong token is rejected once, logged as an error, and not retried by the next run', async (t) => {
  const { provider, once } = await setup(t, { token: 'wrong-token-123', ipv6: false });
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /home example\.zerigo\.com A: rejected by provider \(HTTP 401: bad login or token\); not retrying until config or address changes/);
  const again = await once();
  assert.equal(again.code, 1, 'still failing: exit 1 even though nothing was sent');
  assert.equal(updates(provider).length, 1);
});

test('a config change lifts a rejection', async (t) => {
  const { provider, once, write } = await setup(t, { token: 'wrong-token-123', ipv6: false });
  assert.equal((await once()).code, 1);
  write({ token: TOKEN });
  const r = await once();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(updates(provider).length, 2);
  assert.equal(provider.records.get('example.zerigo.com')?.A, '203.0.113.5');
});

test('provider trouble is retried with backoff, not at every run', async (t) => {
  const { provider, once } = await setup(t, { ipv6: false });
  provider.setMode('update', { kind: 'status', status: 503, body: 'Status: 503\n' });
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A: provider trouble \(HTTP 503\); retry in (60|6\d|7\d) s/);
  await once();
  assert.equal(updates(provider).length, 1, 'the next run is inside the backoff');
});

test('a 200 whose body says Status: 401 is a rejection', async (t) => {
  const { provider, once } = await setup(t, { ipv6: false });
  provider.setMode('update', { kind: 'status', status: 200, body: 'Status: 401\nbad login\n' });
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /rejected by provider \(HTTP 200, Status: 401: bad login or token\)/);
});

test('--dry-run prints what it would send and sends and records nothing', async (t) => {
  const { provider, once, dir } = await setup(t);
  const r = await once('--dry-run');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /A: would send 203\.0\.113\.5/);
  assert.match(r.stdout, /AAAA: would send 2001:db8::5/);
  assert.equal(updates(provider).length, 0);
  assert.deepEqual(readdirSync(dir).filter((f) => f === 'state'), []);
});

test('--force re-sends confirmed addresses', async (t) => {
  const { provider, once } = await setup(t, { ipv6: false });
  await once();
  const r = await once('--force');
  assert.equal(r.code, 0);
  assert.equal(updates(provider).length, 2);
  assert.match(r.stdout, /sending 203\.0\.113\.5 \(forced\)/);
});

test('auth query sends user and password as parameters; basic sends a header', async (t) => {
  const { provider, once } = await setup(t, { auth: 'query', ipv6: false });
  assert.equal((await once()).code, 0);
  const [q] = updates(provider);
  assert.equal(q!.auth?.via, 'query');
  assert.equal(q!.query.user, 'login@example.com');
  assert.equal(q!.headers.authorization, undefined);

  const b = await setup(t, { ipv6: false });
  assert.equal((await b.once()).code, 0);
  const [h] = updates(b.provider);
  assert.equal(h!.auth?.via, 'basic');
  assert.equal(h!.query.password, undefined);
  assert.match(String(h!.headers['user-agent']), /^updyn\//);
});

test('status.json and state.json are written and hold no token', async (t) => {
  const { once, dir } = await setup(t);
  await once();
  const status = JSON.parse(readFileSync(join(dir, 'state', 'status.json'), 'utf8'));
  assert.equal(status.services[0].name, 'home');
  const rec = status.services[0].records.find((r: { type: string }) => r.type === 'A');
  assert.equal(rec.registered, '203.0.113.5');
  assert.equal(rec.last_result, 'ok');
  assert.equal(rec.source, 'checkip');
  for (const f of ['status.json', 'state.json']) assert.ok(!readFileSync(join(dir, 'state', f), 'utf8').includes(TOKEN), f);
});

test('the token appears in no output, even at debug level with failures', async (t) => {
  const { provider, once, outputs, write } = await setup(t, { logLevel: 'debug' });
  await once();
  provider.setMode('update', { kind: 'status', status: 500 });
  provider.setCheckipAnswer('ipv4', '203.0.113.9');
  await once();
  provider.setMode('update', { kind: 'close' });
  await once('--force');
  write({ auth: 'query', logLevel: 'debug' });
  await once('--force');
  for (const r of outputs) {
    assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), `token leaked:\n${r.stdout}\n${r.stderr}`);
  }
});

test('a bad config is exit 2 with FILE:LINE, no stack trace', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'bad.conf');
  writeFileSync(conf, "config service 'home'\n\toption enabled '1\n");
  const r = await runUpdyn(['once', '-c', conf]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: `, 'm'));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('a missing config file is exit 2 with a one-line message', async () => {
  const r = await runUpdyn(['once', '-c', '/nonexistent/updyn.conf']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\/nonexistent\/updyn\.conf/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('usage errors are exit 2; --version and --help are exit 0', async () => {
  assert.equal((await runUpdyn(['frobnicate'])).code, 2);
  assert.equal((await runUpdyn(['once', '--json'])).code, 2);
  assert.equal((await runUpdyn([])).code, 2);
  const v = await runUpdyn(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^updyn \d+\.\d+\.\d+\n$/);
  assert.equal((await runUpdyn(['--help'])).code, 0);
});

test('updyn status prints the table the last run wrote, and --json adds whether it runs', async (t) => {
  const { once, conf } = await setup(t);
  const none = await runUpdyn(['status', '-c', conf]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no status yet: updyn has not run/);
  await once();
  const r = await runUpdyn(['status', '-c', conf]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^updyn .*: not running \(last status from pid \d+/);
  assert.match(lines[1]!, /^SERVICE\s+HOST\s+TYPE\s+CURRENT\s+REGISTERED\s+RESULT\s+LAST UPDATE\s+NEXT\s+TOKENS$/);
  assert.match(r.stdout, /^home\s+example\.zerigo\.com\s+A\s+203\.0\.113\.5 \(checkip\)\s+203\.0\.113\.5\s+ok: HTTP 200\s+(\d+ s ago|now)\s+in (23|24|25) h\s+2$/m);
  assert.match(r.stdout, /^home\s+example\.zerigo\.com\s+AAAA\s+2001:db8::5 \(checkip\)\s+2001:db8::5\s+ok: HTTP 200/m);
  const j = await runUpdyn(['status', '-c', conf, '--json']);
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.running, false);
  assert.equal(doc.services[0].records.length, 2);
  assert.ok(!j.stdout.includes(TOKEN));
});

test('check-config --json prints exactly one JSON document with every option, the token redacted', async (t) => {
  const { conf } = await setup(t);
  const r = await runUpdyn(['check-config', '-c', conf, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const s = doc.services[0];
  assert.equal(s.password, '(redacted)');
  assert.equal(s.enabled, true);
  assert.deepEqual(s.host, ['example.zerigo.com']);
  for (const k of ['protocol', 'update_url', 'auth', 'interface', 'device', 'ipv4', 'ipv6', 'ip_source', 'checkip_url', 'checkip4_url', 'checkip6_url', 'check_interval', 'force_interval', 'timeout']) {
    assert.ok(k in s, `option ${k} listed`);
  }
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
  const text = await runUpdyn(['check-config', '-c', conf]);
  assert.equal(text.code, 0);
  assert.ok(!text.stdout.includes(TOKEN));
});
