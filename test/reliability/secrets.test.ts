// One token, every way out. A whole scenario at log level debug — check-config,
// once, run with signals, status, and a provider failing in every way we can
// play, some of them echoing the token back raw, URL-encoded or inside the Basic
// header — and the token must appear in no log line, no error, no status.json,
// no state.json, no check-config output: not raw, not URL-encoded, not as
// Basic auth, not even as a cut-off piece of the Basic auth base64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import type { Endpoint, Mode } from '../provider/types';
import { tempDir } from '../support/env';
import { Daemon, runUpdyn } from '../support/updyn';
import { USER, conf, leaks, makeTls, recorder, secretForms, sleep, type ServiceSpec } from './support';

// characters that URL-encode differently in each encoding, so every form is distinct
const SECRET = 'Rel/T0k+en=9f&8e 7d%c3';
const FORMS = secretForms(USER, SECRET);
// a second token that lives only inside an update_url (it never travels as Basic auth)
const URL_KEY = 'K3y+in/the=URL&x';
const URL_FORMS = secretForms(USER, URL_KEY).slice(0, 3);

/** Every base64-looking run, decoded: a cut-off Basic header still shows the token's start. */
function base64Pieces(text: string): string[] {
  return (text.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []).flatMap((run) =>
    [0, 1, 2, 3].map((skip) => Buffer.from(run.slice(skip, skip + Math.floor((run.length - skip) / 4) * 4), 'base64').toString('latin1')),
  );
}

function assertClean(where: string, text: string): void {
  assert.deepEqual(leaks(text, [...FORMS, ...URL_FORMS]), [], `${where} leaks a token:\n${text}`);
  const piece = SECRET.slice(0, 8);
  assert.ok(!base64Pieces(text).some((d) => d.includes(piece)), `${where} leaks the token as base64:\n${text}`);
}

test('the token never leaves: not in logs, errors, status, state or check-config, in any encoding, whatever fails', async (t) => {
  const hosts = ['a.example.net', 'b.example.net', 'c.example.net', 'd.example.net'];
  const provider = await startProvider({ accounts: [{ user: USER, token: SECRET, hosts }] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.5');
  provider.setCheckipAnswer('ipv6', '2001:db8::5');
  const dir = tempDir(t);
  const stateDir = join(dir, 'state');
  const trap = await recorder(t, { host: '127.0.0.2' });
  const tls = makeTls(t, tempDir(t));
  if (!tls) return;
  const secure = await recorder(t, { tls });
  // a status the test provider cannot play (it keeps to 100-599): Zerigo quotes the body of an odd one
  let odd = { status: 200, body: 'Status: 200\n' };
  const oddServer = await recorder(t, { answer: () => odd });
  // the provider of the key-in-URL service echoes what it got: the URL, raw or encoded
  let keyAnswer = { status: 200, body: 'OK 203.0.113.5' };
  const keyServer = await recorder(t, { answer: () => keyAnswer });
  const base = { checkip: provider.url, token: SECRET, timeout: 1 };
  const services: ServiceSpec[] = [
    { ...base, name: 'zb', updateUrl: `${provider.url}/dynamic`, hosts: [hosts[0]!] },
    { ...base, name: 'zq', auth: 'query', updateUrl: `${provider.url}/dynamic`, hosts: [hosts[1]!] },
    { ...base, name: 'dd', protocol: 'dyndns2', updateUrl: `${provider.url}/nic/update`, hosts: [hosts[2]!] },
    {
      ...base,
      name: 'cu',
      protocol: 'custom',
      updateUrl: `${provider.url}/custom?domain=[DOMAIN]&addr=[IP]&u=[USERNAME]&p=[PASSWORD]`,
      hosts: [hosts[3]!],
      extra: ["\toption success_pattern '^OK '"],
    },
    // a key inside update_url itself, no password option: only the URL says it is secret
    {
      ...base,
      name: 'ck',
      protocol: 'custom',
      token: '',
      updateUrl: `${keyServer.url}/update?domain=[DOMAIN]&addr=[IP]&key=${encodeURIComponent(URL_KEY)}`,
      hosts: ['g.example.net'],
      ipv6: false,
      extra: ["\toption success_pattern '^OK '"],
    },
    { ...base, name: 'zx', updateUrl: `${oddServer.url}/dynamic`, hosts: ['f.example.net'], ipv6: false },
    // TLS refused (unknown CA): an error from deep in Node, about a request that held the token
    { ...base, name: 'tl', updateUrl: `${secure.url}/dynamic`, hosts: ['e.example.net'], ipv6: false },
  ];
  const file = join(dir, 'updyn.conf');
  writeFileSync(file, conf({ stateDir, logLevel: 'debug', services }));
  // world-readable on purpose: every command must say so
  chmodSync(file, 0o644);

  const seen: [string, string][] = [];
  const record = (where: string, r: { stdout: string; stderr: string }) => seen.push([`${where} stdout`, r.stdout], [`${where} stderr`, r.stderr]);
  const files = (where: string) => {
    // the lock is a symlink whose target names a pid, not a file to read
    for (const f of readdirSync(stateDir)) if (!lstatSync(join(stateDir, f)).isSymbolicLink()) seen.push([`${where} ${f}`, readFileSync(join(stateDir, f), 'utf8')]);
  };
  const warning = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: readable by group or others \\(mode 0644\\) although it holds tokens; run: chmod 600 `, 'm');

  for (const args of [['check-config'], ['check-config', '--json']]) {
    const r = await runUpdyn([...args, '-c', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, warning, `${args.join(' ')} warns about the mode`);
    record(args.join(' '), r);
  }

  const first = await runUpdyn(['once', '-c', file]);
  assert.equal(first.code, 1, 'the TLS service is rejected');
  assert.match(first.stderr, warning);
  assert.match(first.stderr, /^tl e\.example\.net A: rejected by provider \(TLS: /m);
  assert.equal(provider.records.size, 4, first.stdout + first.stderr);
  assert.equal(oddServer.requests.length, 1);
  record('once', first);
  files('once');

  const b64 = Buffer.from(`${USER}:${SECRET}`).toString('base64');
  const faults: Mode[] = [
    { kind: 'status', status: 401 },
    { kind: 'status', status: 500, body: `internal error for ${SECRET}` },
    { kind: 'status', status: 404, body: `no host; you sent password=${encodeURIComponent(SECRET)}` },
    { kind: 'status', status: 200, body: `ERROR: got Authorization: Basic ${b64}` },
    { kind: 'word', word: `badauth ${SECRET}` },
    { kind: 'word', word: `ERROR: ${new URLSearchParams({ p: SECRET })}` },
    { kind: 'word', word: `Basic ${b64}`, status: 503 },
    { kind: 'hang' },
    { kind: 'close' },
    { kind: 'reset-mid-body' },
    { kind: 'garbage' },
    { kind: 'redirect', location: `${trap.url}/dynamic?password=${encodeURIComponent(SECRET)}` },
  ];
  const endpoints: Endpoint[] = ['update', 'dyndns2', 'custom'];
  odd = { status: 600, body: `odd status, token ${SECRET}` };
  for (const [i, mode] of faults.entries()) {
    rmSync(stateDir, { recursive: true, force: true });
    keyAnswer = i % 2 === 0 ? { status: 200, body: `ERROR: bad key ${URL_KEY}` } : { status: 403, body: `denied: ${keyServer.requests.at(-1)?.url}` };
    for (const e of endpoints) provider.setMode(e, mode);
    const r = await runUpdyn(['once', '-c', file, '--force']);
    assert.equal(r.code, 1, `${mode.kind}: ${r.stdout}${r.stderr}`);
    record(`once (${JSON.stringify(mode).slice(0, 60)})`, r);
    files(`once (${mode.kind})`);
  }
  for (const e of endpoints) provider.setMode(e, { kind: 'normal' });
  assert.equal(trap.connections, 0);

  // the daemon: a good start, then faults forced out with SIGUSR1, a reload, status while it runs
  rmSync(stateDir, { recursive: true, force: true });
  const d = new Daemon(['-c', file]);
  t.after(() => d.stop());
  await d.waitFor(/cu d\.example\.net AAAA: updated/);
  // two forced rounds after the first: the three tokens of the bucket
  const echoRaw = faults.find((m) => m.kind === 'status' && m.status === 500)!;
  const echoBasic = faults.find((m) => m.kind === 'status' && m.status === 200)!;
  for (const mode of [echoRaw, echoBasic]) {
    for (const e of endpoints) provider.setMode(e, mode);
    keyAnswer = { status: 500, body: `failed: ${keyServer.requests.at(-1)?.url}` };
    const mark = d.lines.length;
    d.signal('SIGUSR1');
    await d.waitFor(/cu d\.example\.net A: (provider trouble|rejected)/, 5000, mark);
    await sleep(200);
    files(`run (${mode.kind})`);
  }
  for (const args of [['status'], ['status', '--json']]) {
    const r = await runUpdyn([...args, '-c', file]);
    assert.equal(r.code, 0, r.stderr);
    record(args.join(' '), r);
  }
  d.signal('SIGHUP');
  await d.waitFor(/SIGHUP: config reloaded/);
  assert.equal((await d.stop()).code, 0);
  files('run (stopped)');
  seen.push(['run log', d.lines.join('\n')]);
  assert.ok(d.lines.some((l) => warning.test(l)), 'run warns about the mode');

  for (const [where, text] of seen) assertClean(where, text);
  const bytes = seen.reduce((n, [, text]) => n + text.length, 0);
  t.diagnostic(
    `${seen.length} outputs and files (${Math.round(bytes / 1024)} kB) after ${faults.length} kinds of failure, scanned for ` +
      `${FORMS.length + URL_FORMS.length} encodings of two secrets and base64 pieces of the token: none found`,
  );
});
