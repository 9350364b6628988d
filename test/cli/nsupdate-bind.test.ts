// protocol 'nsupdate' through the shipped bundle against a real BIND 9 inside a
// network namespace: RFC 2136 UPDATE signed with TSIG, the names checked with dig.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtPath, tempDir } from '../support/env';
import { createNetns } from '../support/netns';
import { startBind } from '../support/bind';
import { runUpdyn } from '../support/updyn';

const ZONE = 'example.test';
const HOST = `home.${ZONE}`;
const KEY = 'updyn-key';

async function setup(t: TestContext, algorithm = 'hmac-sha256') {
  const ns = await createNetns(t);
  if (!ns) return null;
  await ns.addVeth();
  await ns.ipBatch(['addr add 192.0.2.10/24 dev v0', 'addr add 2001:db8::10/64 dev v0 nodad']);
  const dir = tempDir(t, 'updyn-bind-');
  mkdirSync(join(dir, 'named'));
  const secret = randomBytes(algorithm === 'hmac-sha512' ? 64 : 32).toString('base64');
  const bind = await startBind(t, ns, { dir: join(dir, 'named'), zone: ZONE, keyName: KEY, secret, algorithm });
  if (!bind) return null;
  const conf = join(dir, 'updyn.conf');
  const write = (over: { secret?: string; server?: string; algorithm?: string; timeout?: number } = {}) =>
    writeFileSync(
      conf,
      `config updyn 'global'\n\toption state_dir '${dir}/state'\n\nconfig service 'home'\n\toption enabled '1'\n\toption protocol 'nsupdate'\n` +
        `\toption dns_server '${over.server ?? '127.0.0.1'}'\n\toption zone '${ZONE}'\n\toption username '${KEY}'\n\toption password '${over.secret ?? secret}'\n` +
        `\toption tsig_algorithm '${over.algorithm ?? algorithm}'\n\toption ttl '120'\n\tlist host '${HOST}'\n\toption device 'v0'\n\toption ip_source 'interface'\n\toption timeout '${over.timeout ?? 3}'\n`,
      { mode: 0o600 },
    );
  write();
  const once = async () => {
    const r = await runUpdyn(['once', '-c', conf], { netns: ns.name });
    for (const out of [r.stdout, r.stderr]) assert.ok(!out.includes(secret), `the TSIG secret leaked:\n${out}`);
    return r;
  };
  const state = (fam: string) => JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8')).records[`home/${HOST}/${fam}`];
  return { ns, bind, once, write, state, secret };
}

test('nsupdate: both names resolve to the new addresses in BIND, and a second run sends nothing', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const r = await s.once();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /home\.example\.test A: updated 192\.0\.2\.10 \(NOERROR/);
  assert.match(r.stdout, /home\.example\.test AAAA: updated 2001:db8::10 \(NOERROR/);
  assert.equal(await s.bind.dig(HOST, 'A'), '192.0.2.10');
  assert.equal(await s.bind.dig(HOST, 'AAAA'), '2001:db8::10');
  const serial = await s.bind.serial();
  assert.equal(serial, 3, 'one UPDATE per record');
  assert.equal((await s.once()).code, 0);
  assert.equal(await s.bind.serial(), serial, 'nothing changed, so nothing was sent');

  // a new address replaces the old one: the set is deleted, not added to
  await s.ns.ipBatch(['addr del 192.0.2.10/24 dev v0', 'addr add 192.0.2.20/24 dev v0']);
  const r2 = await s.once();
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  assert.equal(await s.bind.dig(HOST, 'A'), '192.0.2.20');
  assert.equal(await s.bind.serial(), serial + 1);
  assert.match((await s.ns.exec('dig', ['@127.0.0.1', '+noall', '+answer', HOST, 'A'])).stdout, /\b120\s+IN\s+A\s+192\.0\.2\.20/, 'the ttl option is the TTL');
});

test('nsupdate: hmac-sha512 keys work too', async (t) => {
  const s = await setup(t, 'hmac-sha512');
  if (!s) return;
  const r = await s.once();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await s.bind.dig(HOST, 'A'), '192.0.2.10');
});

test('nsupdate: a wrong secret is rejected (BADSIG) and latched: no further request until the config changes', async (t) => {
  const s = await setup(t);
  if (!s) return;
  s.write({ secret: randomBytes(32).toString('base64') });
  const r = await s.once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A: rejected by provider \(NOTAUTH\/BADSIG: the server refuses the TSIG key/);
  const refusals = () => (s.bind.log().match(/tsig verify failure \(BADSIG\)/g) ?? []).length;
  assert.equal(refusals(), 2, `one UPDATE per record reached BIND:\n${s.bind.log()}`);
  assert.equal((await s.once()).code, 1);
  assert.equal(refusals(), 2, 'latched: the second run sent nothing');
  assert.equal(await s.bind.dig(HOST, 'A'), '');
  // the right secret is a config change, which lifts the rejection
  s.write();
  const fixed = await s.once();
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.equal(await s.bind.dig(HOST, 'A'), '192.0.2.10');
});

test('nsupdate: a server that never answers is trouble, retried later with backoff', async (t) => {
  const s = await setup(t);
  if (!s) return;
  // 192.0.2.99 is on v0's link, but no host has it: every datagram is lost
  s.write({ server: '192.0.2.99', timeout: 2 });
  const r = await s.once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A: provider trouble \(no answer within 2 s\); retry in (1 min|[6-7][0-9] s)/, "1 min plus jitter that only adds");
  const first = s.state('ipv4');
  assert.ok(first.retry_delay_s >= 60, JSON.stringify(first));
  const again = await s.once();
  assert.equal(again.code, 1);
  assert.doesNotMatch(again.stdout + again.stderr, /: sending /, 'inside the backoff nothing is sent');
  assert.match(again.stderr, /still provider trouble \(no answer within [0-9.]+ s\) from an earlier run; nothing sent/);
  assert.deepEqual(s.state('ipv4').retry_delay_s, first.retry_delay_s);
});

test('nsupdate: a truncated UDP answer is followed by the same UPDATE over TCP', async (t) => {
  const s = await setup(t);
  if (!s) return;
  await s.ns.ip('addr', 'add', '127.0.0.2/8', 'dev', 'lo');
  const proxy = s.ns.nodeProcess(builtPath('test/support/truncating-dns'), ['127.0.0.2', '127.0.0.1']);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stand-in did not start: ${out}`)), 10_000);
    proxy.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  s.write({ server: '127.0.0.2' });
  const r = await s.once();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /A: updated 192\.0\.2\.10 \(NOERROR \(TCP\)/);
  assert.equal(await s.bind.dig(HOST, 'A'), '192.0.2.10');
  assert.equal(await s.bind.dig(HOST, 'AAAA'), '2001:db8::10');
  assert.equal((out.match(/^udp /gm) ?? []).length, 2, out);
  assert.equal((out.match(/^tcp$/gm) ?? []).length, 2, out);
});
