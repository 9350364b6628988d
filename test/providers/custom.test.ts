// The custom protocol against the test provider's /custom endpoint (which
// answers HTTP 200 to everything, so only success_pattern tells) over real
// loopback sockets: placeholders substituted intact, the pattern, the status.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { custom } from '../../src/providers/custom';
import { providerFor as specFor } from '../../src/providers';
import type { ServiceConfig, UpdateRequest } from '../../src/types';
import { assertNoSecret, HOST, providerWith, send, service, TOKEN, USER } from './helpers';

/** A token with every character a naive substitution breaks: & + / = space, and a literal placeholder. */
const HARD_TOKEN = `${TOKEN}&a+b/c=d e%20f[IP]`;
const TEMPLATE = '/custom?domain=[DOMAIN]&addr=[IP]&u=[USERNAME]&p=[PASSWORD]';

async function setup(t: TestContext, over: Partial<ServiceConfig> = {}, token = HARD_TOKEN) {
  const p = await providerWith(t, token);
  const svc = service({
    protocol: 'custom',
    auth: 'none',
    update_url: `${p.url}${TEMPLATE}`,
    password: token,
    success_pattern: '^OK ',
    timeout: 2,
    ...over,
  });
  return { p, svc };
}

test('the registry knows custom', () => {
  assert.equal(specFor('custom'), custom);
});

test('placeholders are substituted percent-encoded: a token with & + / = and spaces arrives intact', async (t) => {
  const { p, svc } = await setup(t);
  assert.deepEqual(await send(custom, svc), { kind: 'ok', message: 'HTTP 200' });
  const [r] = p.requests;
  assert.deepEqual(r?.query, { domain: HOST, addr: '203.0.113.5', u: USER, p: HARD_TOKEN });
  assert.equal(r?.headers.authorization, undefined, "auth 'none' sends no header");
  assert.deepEqual(p.records.get(HOST), { A: '203.0.113.5' });
});

test('an IPv6 address is substituted too, over IPv6 loopback, and sets AAAA', async (t) => {
  const { p, svc } = await setup(t);
  const v6 = { ...svc, update_url: `${p.url6}${TEMPLATE}` };
  assert.deepEqual(await send(custom, v6, { family: 'ipv6', address: '2001:db8::7' }), { kind: 'ok', message: 'HTTP 200' });
  assert.equal(p.requests[0]?.remoteFamily, 'ipv6');
  assert.deepEqual(p.records.get(HOST), { AAAA: '2001:db8::7' });
});

test("auth 'basic' sends the header, for a URL without credentials", async (t) => {
  const { p, svc } = await setup(t, { auth: 'basic' });
  const basic = { ...svc, update_url: `${p.url}/custom?domain=[DOMAIN]&addr=[IP]` };
  assert.equal((await send(custom, basic)).kind, 'ok');
  assert.deepEqual(p.requests[0]?.auth, { user: USER, password: HARD_TOKEN, via: 'basic' });
});

test("an answer that does not match success_pattern is rejected for that record, in the provider's words", async (t) => {
  const { svc } = await setup(t, { password: `${HARD_TOKEN}-wrong` });
  assert.deepEqual(await send(custom, svc), {
    kind: 'rejected',
    reach: 'record',
    message: 'HTTP 200, but the answer does not match success_pattern: "ERROR: bad login or token"',
  });
  const unknown = await send(custom, svc, { host: 'elsewhere.example.com' });
  assert.equal(unknown.kind, 'rejected');
});

test('success_pattern is an unanchored JavaScript regular expression; empty takes any 2xx', async (t) => {
  const { p, svc } = await setup(t);
  assert.equal((await send(custom, { ...svc, success_pattern: 'OK \\d+\\.' })).kind, 'ok');
  assert.equal((await send(custom, { ...svc, success_pattern: '^ok' })).kind, 'rejected', 'case-sensitive');
  p.setMode('custom', { kind: 'word', word: 'ERROR: whatever', times: 1 });
  assert.deepEqual(await send(custom, { ...svc, success_pattern: '' }), { kind: 'ok', message: 'HTTP 200' });
  p.setMode('custom', { kind: 'word', word: '', status: 204, times: 1 });
  assert.deepEqual(await send(custom, { ...svc, success_pattern: '' }), { kind: 'ok', message: 'HTTP 204' });
  p.setMode('custom', { kind: 'word', word: '', times: 1 });
  const empty = await send(custom, svc);
  assert.deepEqual(empty, { kind: 'rejected', reach: 'record', message: 'HTTP 200, but the answer does not match success_pattern: an empty answer' });
});

test('4xx is rejected (401/403 for the whole service), 5xx and 429 are trouble', async (t) => {
  const { p, svc } = await setup(t);
  const cases: [number, string, object][] = [
    [400, 'bad request', { kind: 'rejected', reach: 'record', message: 'HTTP 400: "bad request"' }],
    [404, '', { kind: 'rejected', reach: 'record', message: 'HTTP 404' }],
    [401, 'who are you?', { kind: 'rejected', reach: 'service', message: 'HTTP 401: "who are you?"' }],
    [403, '', { kind: 'rejected', reach: 'service', message: 'HTTP 403' }],
    [429, '', { kind: 'trouble', message: 'HTTP 429' }],
    [500, 'oops', { kind: 'trouble', message: 'HTTP 500: "oops"' }],
    [503, '', { kind: 'trouble', message: 'HTTP 503' }],
  ];
  for (const [status, body, expected] of cases) {
    // the body says OK: the status must win over success_pattern
    p.setMode('custom', { kind: 'status', status, body: body === '' ? '' : body, times: 1 });
    assert.deepEqual(await send(custom, svc), expected, `HTTP ${status}`);
  }
  p.setMode('custom', { kind: 'status', status: 502, body: 'OK 203.0.113.5', times: 1 });
  assert.equal((await send(custom, svc)).kind, 'trouble', 'a 5xx is never a success, whatever it says');
});

test('an answer that echoes the URL shows no token, in any spelling', async (t) => {
  const { p, svc } = await setup(t);
  const query = TEMPLATE.replace('[PASSWORD]', encodeURIComponent(HARD_TOKEN)).replace(/^.*\?/, '');
  for (const body of [`ERROR: bad request p=${encodeURIComponent(HARD_TOKEN)}&${query}`, `ERROR: token ${HARD_TOKEN} refused`, `ERROR ${new URLSearchParams({ p: HARD_TOKEN })}`]) {
    for (const status of [200, 400, 500]) {
      p.setMode('custom', { kind: 'status', status, body, times: 1 });
      const outcome = await send(custom, svc); // send() asserts no secret in the outcome
      assert.match(outcome.message, /\(redacted\)/, outcome.message);
    }
  }
});

test('substitution is one pass: a value holding a placeholder is not substituted again', () => {
  const req: UpdateRequest = {
    service: service({ protocol: 'custom', auth: 'none', username: 'me[PASSWORD]', update_url: 'http://192.0.2.1/u?h=[DOMAIN]&h2=[DOMAIN]&who=[USERNAME]' }),
    host: HOST,
    family: 'ipv4',
    address: '192.0.2.9',
  };
  const built = custom.build(req);
  assert.equal(built.url, `http://192.0.2.1/u?h=${HOST}&h2=${HOST}&who=me%5BPASSWORD%5D`);
  assert.ok(!built.url.includes(TOKEN), 'no [PASSWORD] in the template, so no token in the URL');
  assert.deepEqual(built.headers, {});
});

test('a pattern that is not a regular expression is a rejection, never a throw', async () => {
  const req: UpdateRequest = {
    service: service({ protocol: 'custom', success_pattern: 'OK (' }),
    host: HOST,
    family: 'ipv4',
    address: '192.0.2.9',
  };
  const outcome = await custom.classify({ status: 200, headers: {}, body: 'OK', truncated: false, elapsedMs: 1 }, req);
  assert.deepEqual(outcome, { kind: 'rejected', reach: 'service', message: 'success_pattern is not a valid regular expression' });
  assertNoSecret(outcome);
});
