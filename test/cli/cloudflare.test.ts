// protocol 'cloudflare' through the shipped bundle (`updyn once`, check-config)
// against the test provider's Cloudflare API stand-in on loopback.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import { tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { runUpdyn } from '../support/updyn';

const HOST = 'home.example.com';

async function setup(t: TestContext, extra = '') {
  const p = await startProvider();
  t.after(() => p.stop());
  p.cloudflare.addZone('example.com');
  p.cloudflare.addToken({ token: TOKEN, zones: ['example.com'] });
  p.setCheckipAnswer('ipv4', '203.0.113.5');
  const dir = tempDir(t);
  const conf = join(dir, 'updyn.conf');
  const write = (more = '') =>
    writeFileSync(
      conf,
      `config updyn 'global'\n\toption state_dir '${dir}/state'\n\nconfig service 'home'\n\toption enabled '1'\n\toption protocol 'cloudflare'\n` +
        `\toption update_url '${p.url}/client/v4'\n\toption password '${TOKEN}'\n\tlist host '${HOST}'\n\toption device 'lo'\n\toption ipv6 '0'\n` +
        `\toption ip_source 'checkip'\n\toption checkip4_url '${p.url}/checkip4'\n\toption timeout '3'\n${extra}${more}`,
      { mode: 0o600 },
    );
  write();
  const once = async (args: string[] = []) => {
    const r = await runUpdyn(['once', '-c', conf, ...args]);
    assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), `the token leaked:\n${r.stdout}${r.stderr}`);
    return r;
  };
  const cf = () => p.requests.filter((r) => r.endpoint === 'cloudflare');
  const writes = () => cf().filter((r) => r.method !== 'GET');
  const state = () => JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8')).records[`home/${HOST}/ipv4`];
  return { p, once, cf, writes, state, write, conf };
}

test('cloudflare: a new record is POSTed, an unchanged address sends 0 requests, a change is one PATCH', async (t) => {
  const { p, once, cf, writes } = await setup(t);
  const r = await once();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /home\.example\.com A: updated 203\.0\.113\.5 \(Cloudflare A created in zone example\.com/);
  assert.deepEqual(writes().map((w) => w.method), ['POST']);
  assert.deepEqual(p.cloudflare.find(HOST, 'A').map((x) => [x.content, x.ttl, x.proxied]), [['203.0.113.5', 1, false]]);

  const before = cf().length;
  assert.equal((await once()).code, 0);
  assert.equal(cf().length, before, 'nothing changed: not one request to the API (the state decides, not a read)');

  p.setCheckipAnswer('ipv4', '198.51.100.8');
  const r3 = await once();
  assert.equal(r3.code, 0, r3.stdout + r3.stderr);
  assert.deepEqual(writes().map((w) => w.method), ['POST', 'PATCH'], 'one write per change');
  assert.deepEqual(JSON.parse(writes()[1]!.body!), { content: '198.51.100.8' });
  assert.equal(p.cloudflare.find(HOST, 'A')[0]?.content, '198.51.100.8');
});

test('cloudflare: a bad token (403, 9109) is rejected for the service and latched until the config changes', async (t) => {
  const { once, cf, write } = await setup(t);
  write("\toption password 'Wr0ng-token-0123456789'\n");
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A: rejected by provider \(HTTP 403: the API token is refused: 9109 "Invalid access token"\)/);
  const n = cf().length;
  assert.equal((await once()).code, 1);
  assert.equal(cf().length, n, 'latched: no request until the config changes');
  write();
  assert.equal((await once()).code, 0);
});

test('cloudflare: 429 and 5xx are trouble with backoff; inside it nothing is sent', async (t) => {
  const { p, once, cf, state } = await setup(t);
  p.setMode('cloudflare', { kind: 'status', status: 429, body: '{"success":false,"errors":[{"code":971,"message":"Please wait and consider throttling your request speed"}]}' });
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A: provider trouble \(HTTP 429: 971 "Please wait and consider throttling your request speed"\); retry in/);
  assert.ok(state().retry_delay_s >= 60);
  const n = cf().length;
  await once();
  assert.equal(cf().length, n);
  p.setMode('cloudflare', { kind: 'status', status: 503, body: '' });
  const r2 = await once(['--force']);
  assert.match(r2.stderr, /provider trouble \(HTTP 503\)/);
});

test('cloudflare: a zone that is missing stops the host', async (t) => {
  const { p, once } = await setup(t, "\toption zone 'example.com'\n");
  p.cloudflare.removeZone('example.com');
  const r = await once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A: rejected by provider \(Cloudflare: zone example\.com is not visible to this token\)/);
});

test('check-config lists the cloudflare options with their defaults, the token redacted', async (t) => {
  const { conf } = await setup(t);
  const r = await runUpdyn(['check-config', '--json', '-c', conf]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).services[0];
  assert.deepEqual([s.protocol, s.password, s.zone, s.ttl, s.proxied], ['cloudflare', '(redacted)', '', 1, false]);
  assert.ok(!r.stdout.includes(TOKEN));
});
