// Fuzzing the provider answer parsers (zerigo, dyndns2, custom classify): any
// status, any body, any success_pattern a user may write, and a provider that
// echoes the token back in every spelling. Each answer is one typed outcome
// with a one-line, printable message that holds no spelling of the token; none
// throws, none takes long. custom's build() puts any token, user and host into
// the URL so that they come back out byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type HttpProvider, providerFor } from '../../src/providers';
import type { HttpResponse } from '../../src/lib/http';
import type { Family, Protocol, ServiceConfig, UpdateRequest } from '../../src/types';
import { service } from '../support/fixtures';

const USER = 'login@example.com';
const token = fc.string({ unit: 'binary', minLength: 3, maxLength: 24 }).filter((s) => s.trim().length >= 3 && !/[\0]/.test(s));
const echoes = (t: string) => [t, encodeURIComponent(t), new URLSearchParams({ x: t }).toString().slice(2), Buffer.from(`${USER}:${t}`).toString('base64')];

const words = ['good', 'nochg', 'badauth', '!donator', 'abuse', 'badagent', 'nohost', 'notfqdn', 'numhost', 'dnserr', '911', 'OK', 'ERROR:', 'Status: 200', 'Status: 401', 'Status: 503', 'good 203.0.113.5', 'nochg 2001:db8::5', 'good 198.51.100.1'];
const status = fc.oneof(fc.constantFrom(200, 201, 204, 299, 301, 400, 401, 403, 404, 429, 500, 503, 599), fc.integer({ min: 0, max: 999 }));
// a body from pieces: words, echoes of the token (filled in later), noise, long runs
const bodyPiece = fc.oneof(
  fc.constantFrom(...words, ' ', '\n', '\r\n', '\t', ',', '\u001b[2J', '\u009b', '\u202e', '\ud800'),
  fc.constantFrom('ECHO0', 'ECHO1', 'ECHO2', 'ECHO3'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer({ min: 1, max: 16 * 1024 }).map((n) => 'x'.repeat(n)),
);
const body = fc.array(bodyPiece, { maxLength: 12 }).map((a) => a.join(''));
// patterns a user writes: anchored words, alternations, classes (not catastrophic ones; see RELIABILITY.md)
const pattern = fc.constantFrom('', '^OK', '^(OK|good|nochg)\\b', 'success', '"status":\\s*"ok"', '^\\d+$', 'ERROR', '(', '[a-');

const ONE_LINE = /^[\x20-\x7e…]*$/;

test('every protocol reads any answer into one outcome: typed, one printable line, no spelling of the token, bounded time', async (t) => {
  const seen = new Map<string, number>();
  let worst = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom<Protocol>('zerigo', 'dyndns2', 'custom'), token, status, body, pattern, fc.constantFrom('ipv4', 'ipv6'), async (protocol, tok, st, raw, pat, family) => {
      const text = raw.replace(/ECHO(\d)/g, (_, i: string) => echoes(tok)[Number(i)] ?? '');
      const svc: ServiceConfig = service({ protocol, password: tok, username: USER, success_pattern: pat });
      const req: UpdateRequest = { service: svc, host: 'example.zerigo.com', family, address: family === 'ipv4' ? '203.0.113.5' : '2001:db8::5' };
      const res: HttpResponse = { status: st, headers: {}, body: text, truncated: false, elapsedMs: 1 };
      const started = performance.now();
      const outcome = await (providerFor(protocol) as HttpProvider).classify(res, req);
      const ms = performance.now() - started;
      worst = Math.max(worst, ms);
      // "never hangs": generous, as a GC pause or a busy machine may stretch one call
      // custom's pattern runs in a worker (a message round trip, and its start once), bounded by its 1 s deadline
      assert.ok(ms < (protocol === 'custom' ? 2500 : 500), `${ms.toFixed(1)} ms`);
      assert.ok(['ok', 'rejected', 'trouble'].includes(outcome.kind), JSON.stringify(outcome));
      if (outcome.kind === 'rejected') assert.ok(['service', 'host', 'record'].includes(outcome.reach));
      assert.match(outcome.message, ONE_LINE, JSON.stringify(outcome.message));
      assert.ok(outcome.message.length <= 200, outcome.message);
      for (const form of echoes(tok)) assert.ok(!outcome.message.includes(form), `${protocol} ${st}: ${JSON.stringify(outcome.message)} holds ${JSON.stringify(form)}`);
      // an answer updyn did not understand never counts as registered
      if (outcome.kind === 'ok') assert.ok(st >= 200 && st <= 299, `${protocol}: ok on HTTP ${st}`);
      seen.set(`${protocol} ${outcome.kind}`, (seen.get(`${protocol} ${outcome.kind}`) ?? 0) + 1);
    }),
    { numRuns: 6000 },
  );
  t.diagnostic(`6000 answers, slowest ${worst.toFixed(1)} ms`);
  for (const p of ['zerigo', 'dyndns2', 'custom']) for (const k of ['ok', 'rejected', 'trouble']) assert.ok((seen.get(`${p} ${k}`) ?? 0) > 0, `${p} never gave ${k}`);
});

test('custom puts any token, user, host and address into its URL so that the provider reads them back byte for byte', () => {
  const value = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\0'));
  fc.assert(
    fc.property(value, value, fc.constantFrom<[Family, string]>(['ipv4', '203.0.113.5'], ['ipv6', '2001:db8::5']), (tok, user, [family, address]) => {
      const svc = service({ protocol: 'custom', password: tok, username: user, update_url: 'https://dyn.example.net/u?d=[DOMAIN]&ip=[IP]&u=[USERNAME]&p=[PASSWORD]' });
      const built = (providerFor('custom') as HttpProvider).build({ service: svc, host: 'h.example.net', family, address });
      const q = new URL(built.url).searchParams;
      assert.equal(q.get('p'), tok);
      assert.equal(q.get('u'), user);
      assert.equal(q.get('d'), 'h.example.net');
      assert.equal(q.get('ip'), address);
    }),
    { numRuns: 3000 },
  );
});
