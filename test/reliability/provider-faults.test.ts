// A provider on a bad day, met by the shipped bundle (`updyn once`) over real
// loopback sockets: error statuses, silence, cut and endless bodies, a body of
// 50 MB, redirects (never followed: the second server must get nothing, not
// even a connection), garbage, and TLS with a certificate of an unknown CA.
// Each case states what the user sees, which RELIABILITY.md quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider, type Provider } from '../provider/server';
import type { Mode } from '../provider/types';
import { tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { USER, conf, makeTls, measuredRun, output, recorder, type ServiceSpec } from './support';

const HOST = 'example.zerigo.com';
const PATHS = { zerigo: '/dynamic', dyndns2: '/nic/update', custom: '/custom?domain=[DOMAIN]&addr=[IP]&u=[USERNAME]&p=[PASSWORD]' };

async function setup(t: import('node:test').TestContext, over: Partial<ServiceSpec> = {}) {
  const provider = await startProvider({ accounts: [{ user: USER, token: TOKEN, hosts: [HOST] }] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.5');
  const dir = tempDir(t);
  const file = join(dir, 'updyn.conf');
  const protocol = over.protocol ?? 'zerigo';
  const spec: ServiceSpec = { protocol, updateUrl: `${provider.url}${PATHS[protocol]}`, checkip: provider.url, token: TOKEN, ipv6: false, timeout: 1, ...over };
  writeFileSync(file, conf({ stateDir: join(dir, 'state'), services: [spec] }), { mode: 0o600 });
  const once = async (...args: string[]) => {
    const started = Date.now();
    const r = await measuredRun(['once', '-c', file, ...args], dir, { timeoutMs: 20_000 });
    return { ...r, ms: Date.now() - started };
  };
  const state = () => JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8')).records[`home/${HOST}/ipv4`];
  return { provider, dir, once, state };
}

const updates = (p: Provider) => p.requests.filter((r) => r.endpoint !== 'checkip');
const noStack = (text: string) => assert.doesNotMatch(text, /\n\s+at |internal error/, text);

/** A fault on the update endpoint: one run, one request, the line the user sees. */
async function fault(t: import('node:test').TestContext, mode: Mode, over: Partial<ServiceSpec> = {}) {
  const s = await setup(t, over);
  const endpoint = ({ zerigo: 'update', dyndns2: 'dyndns2', custom: 'custom' } as const)[over.protocol ?? 'zerigo'];
  s.provider.setMode(endpoint, mode);
  const r = await s.once();
  noStack(output(r));
  return { ...s, r };
}

test('5xx and 429 are trouble: exit 1, a retry time, the backoff kept by the next run', async (t) => {
  for (const status of [500, 502, 503, 504, 429]) {
    const { r, provider, once, state } = await fault(t, { kind: 'status', status });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^home ${HOST} A: provider trouble \\(HTTP ${status}(: too many requests)?\\); retry in (6\\d|7[0-2]) s$`, 'm'));
    assert.equal(state().failures, 1);
    await once();
    assert.equal(updates(provider).length, 1, `HTTP ${status}: the next run is inside the backoff`);
  }
});

test('a provider that never answers costs one timeout, then trouble', async (t) => {
  const { r, state } = await fault(t, { kind: 'hang' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^home example\.zerigo\.com A: provider trouble \(no answer within 1 s\); retry in \d+ s$/m);
  assert.ok(r.ms < 1000 + 1500, `the run took ${r.ms} ms`);
  assert.equal(state().trouble_message, 'no answer within 1 s');
});

test('a connection reset in the middle of a 200 is trouble, not success; so is a connection closed without a word', async (t) => {
  const { r, state } = await fault(t, { kind: 'reset-mid-body' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^home example\.zerigo\.com A: provider trouble \((connection closed before the answer was complete|connection reset)\); retry in \d+ s$/m);
  assert.equal(state().registered, null, 'a cut answer registers nothing');
  const closed = await fault(t, { kind: 'close' });
  assert.equal(closed.r.code, 1);
  assert.match(closed.r.stderr, /^home example\.zerigo\.com A: provider trouble \(connection reset\); retry in \d+ s$/m);
});

test('an endless slow body is cut by the timeout', async (t) => {
  const { r } = await fault(t, { kind: 'slow-body', bytesPerSecond: 200 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^home example\.zerigo\.com A: provider trouble \(no answer within 1 s\); retry in \d+ s$/m);
  assert.ok(r.ms < 1000 + 1500, `the run took ${r.ms} ms`);
});

test('a 50 MB answer is read only up to the cap: memory stays flat', async (t) => {
  const base = await setup(t, { protocol: 'dyndns2' });
  const normal = await base.once();
  assert.equal(normal.code, 0, output(normal));
  const { r } = await fault(t, { kind: 'huge-body', bytes: 50 * 1024 * 1024 }, { protocol: 'dyndns2' });
  // dyndns2 reads the word: 16 KiB of 'x' is no word it knows
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^home example\.zerigo\.com A: provider trouble \(HTTP 200: dyndns2 unexpected answer "x{40}…"\); retry in \d+ s$/m);
  const grew = (r.usage!.maxRssKb - normal.usage!.maxRssKb) / 1024;
  t.diagnostic(`peak RSS: normal answer ${Math.round(normal.usage!.maxRssKb / 1024)} MB, 50 MB answer ${Math.round(r.usage!.maxRssKb / 1024)} MB (+${grew.toFixed(1)} MB), ${r.ms} ms`);
  assert.ok(grew < 16, `peak RSS grew by ${grew.toFixed(1)} MB`);
  assert.ok(r.ms < 3000, `the run took ${r.ms} ms`);

  // Zerigo's answer is its status: a 200 with a huge body still counts, read only up to the cap
  const z = await fault(t, { kind: 'huge-body', bytes: 50 * 1024 * 1024 });
  assert.equal(z.r.code, 0, output(z.r));
  assert.match(z.r.stdout, /A: updated 203\.0\.113\.5 \(HTTP 200, \d+ ms\)/);
  assert.ok(z.r.usage!.maxRssKb - normal.usage!.maxRssKb < 16 * 1024);
});

test('a redirect loop is not followed: one request, rejected, not retried by the next run', async (t) => {
  const s = await setup(t);
  s.provider.setMode('update', { kind: 'redirect', location: `${s.provider.url}/dynamic` });
  const r = await s.once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^home example\.zerigo\.com A: rejected by provider \(HTTP 302: the provider redirects; not followed, check update_url\); not retrying until config or address changes$/m);
  await s.once();
  assert.equal(updates(s.provider).length, 1);
});

test('a redirect to another host, or from https to http, reaches nothing there: not a connection, not a credential', async (t) => {
  const trap = await recorder(t, { host: '127.0.0.2' });
  for (const status of [301, 302, 303, 307, 308]) {
    for (const protocol of ['zerigo', 'dyndns2', 'custom'] as const) {
      const { r } = await fault(t, { kind: 'redirect', status, location: `${trap.url}/dynamic` }, { protocol });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`A: rejected by provider \\(HTTP ${status}: the provider redirects; not followed, check update_url\\)`));
    }
  }
  // https (with its CA trusted) redirecting to plain http on another host
  const tls = makeTls(t, tempDir(t));
  if (!tls) return;
  const secure = await recorder(t, { tls, answer: () => ({ status: 302, headers: { Location: `${trap.url}/dynamic` }, body: '' }) });
  const s = await setup(t, { updateUrl: `${secure.url}/dynamic`, extra: [`\toption cacert '${tls.ca}'`] });
  const r = await s.once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A: rejected by provider \(HTTP 302: the provider redirects; not followed, check update_url\)/);
  assert.equal(secure.requests.length, 1, 'the configured server got the request');
  assert.equal(trap.connections, 0, 'the redirect target was never contacted');
  assert.equal(trap.requests.length, 0);
});

test('HTTP 200 with random bytes: each protocol says what it makes of it, in one printable line', async (t) => {
  const z = await fault(t, { kind: 'garbage' });
  // Zerigo's answer is the status (PROTOCOL.md); the body only repeats it
  assert.equal(z.r.code, 0, output(z.r));
  const d = await fault(t, { kind: 'garbage' }, { protocol: 'dyndns2' });
  assert.equal(d.r.code, 1);
  assert.match(d.r.stderr, /^home example\.zerigo\.com A: provider trouble \(HTTP 200: dyndns2 unexpected answer "[\x20-\x7e]*…?"\); retry in \d+ s$/m);
  const c = await fault(t, { kind: 'garbage' }, { protocol: 'custom', extra: ["\toption success_pattern '^OK '"] });
  assert.equal(c.r.code, 1);
  assert.match(c.r.stderr, /^home example\.zerigo\.com A: rejected by provider \(HTTP 200, but the answer does not match success_pattern: "[\x20-\x7e]*…?"\); not retrying/m);
  for (const x of [z, d, c]) {
    // random bytes never reach the log raw: no control character, no line split
    for (const line of output(x.r).split('\n')) assert.match(line, /^[\x20-\x7e…]*$/, JSON.stringify(line));
  }
});

test('TLS with a certificate of an unknown CA is refused before any credential leaves; cacert makes it trusted', async (t) => {
  const tls = makeTls(t, tempDir(t));
  if (!tls) return;
  const secure = await recorder(t, { tls });
  const untrusted = await setup(t, { updateUrl: `${secure.url}/dynamic` });
  const r = await untrusted.once();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^home example\.zerigo\.com A: rejected by provider \(TLS: unable to verify the first certificate\); not retrying until config or address changes$/m);
  assert.equal(secure.connections, 1);
  assert.equal(secure.requests.length, 0, 'no HTTP request (so no Authorization header) crossed');

  const trusted = await setup(t, { updateUrl: `${secure.url}/dynamic`, extra: [`\toption cacert '${tls.ca}'`] });
  const ok = await trusted.once();
  assert.equal(ok.code, 0, output(ok));
  assert.match(ok.stdout, /A: updated 203\.0\.113\.5 \(HTTP 200, \d+ ms\)/);
  assert.equal(secure.requests.length, 1);
  assert.match(secure.requests[0]!.authorization ?? '', /^Basic /);

  const missing = await setup(t, { updateUrl: `${secure.url}/dynamic`, extra: [`\toption cacert '${join(tls.dir, 'nope.pem')}'`] });
  const m = await missing.once();
  assert.equal(m.code, 1);
  // checkip shares the service's CA, so it is the first to say so
  assert.match(m.stderr, /^home example\.zerigo\.com A: no address: ip_source checkip; home: cannot read cacert \S+nope\.pem: ENOENT$/m);
  assert.equal(secure.requests.length, 1, 'nothing sent without the CA file');
});
