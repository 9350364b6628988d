// The second adversarial round (issue 13): each test reproduces one defect found
// against the shipped bundle and proves its fix. Providers and checkip servers
// are real HTTP servers on loopback that misbehave on cue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtPath, tempDir } from '../support/env';
import { Daemon, runUpdyn } from '../support/updyn';
import { conf, measuredRun, output, recorder } from './support';

const TOKEN = 'Tk9aRq2Lm7Wx4Zp1';

// ---------------------------------------------------------------------------
// 9. the plain-http token warning is a config warning

test('the plain-http token warning is a config warning: check-config shows it on the update_url line, the daemon says it once per load', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'updyn.conf');
  const provider = await recorder(t);
  const text = conf({ stateDir: join(dir, 'state'), services: [{ updateUrl: `${provider.url}/dynamic`, token: TOKEN, ipSource: 'interface', ipv6: false }] });
  writeFileSync(file, text, { mode: 0o600 });
  const line = text.split('\n').findIndex((l) => l.includes('option update_url')) + 1;
  const PLAIN = /plain http, so the token travels unencrypted/;

  const cc = await runUpdyn(['check-config', '-c', file]);
  assert.equal(cc.code, 0, output(cc));
  const said = cc.stderr.split('\n').filter((l) => PLAIN.test(l));
  assert.deepEqual(said, [`${file}:${line}: option 'update_url' in section 'home' uses plain http, so the token travels unencrypted; use https if the provider offers it`]);
  const json = await runUpdyn(['check-config', '--json', '-c', file]);
  assert.equal((JSON.parse(json.stdout) as { warnings: string[] }).warnings.filter((w) => PLAIN.test(w)).length, 1);

  const d = new Daemon(['-c', file]);
  t.after(() => d.stop());
  // the first answer proves the daemon is up, its signal handlers in place
  await d.waitFor(/home example\.zerigo\.com A: (updated|provider|rejected)/);
  const count = () => d.lines.filter((l) => PLAIN.test(l)).length;
  assert.equal(count(), 1, d.lines.join('\n'));
  for (let i = 1; i <= 3; i++) {
    const from = d.lines.length;
    d.signal('SIGHUP');
    await d.waitFor(/SIGHUP: config reloaded/, 10_000, from);
    assert.equal(count(), 1 + i, `after ${i} reload(s):\n${d.lines.join('\n')}`);
  }
  await d.stop();
});

// ---------------------------------------------------------------------------
// 2. checkip servers that answer the bare address; presets name only their own servers

for (const preset of ['no-ip.com', 'dnsomatic.com', 'desec.io']) {
  test(`the ${preset} preset works behind NAT: its checkip server answers the bare address`, async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'updyn.conf');
    const server = await recorder(t, {
      answer: (req) =>
        req.url?.startsWith('/checkip4')
          ? { status: 200, body: '\n  203.0.113.99 \r\n' }
          : { status: 200, body: 'good 203.0.113.99\n' },
    });
    const base = conf({
      stateDir: join(dir, 'state'),
      services: [{ protocol: 'dyndns2', updateUrl: `${server.url}/nic/update`, checkip: server.url, token: TOKEN, ipv6: false, extra: [`\toption service_name '${preset}'`] }],
    });
    // the preset's own per-family URL is overridden to point here; the dual-stack one is left out
    writeFileSync(file, base.split('\n').filter((l) => !l.includes('option checkip_url')).join('\n'), { mode: 0o600 });
    const r = await runUpdyn(['once', '-c', file]);
    assert.equal(r.code, 0, output(r));
    const updates = server.requests.filter((q) => q.url.startsWith('/nic/update'));
    assert.equal(updates.length, 1, output(r));
    assert.match(updates[0]!.url, /myip=203\.0\.113\.99/);
  });
}

test("a preset names only its own provider's checkip servers: no-ip.com has none for IPv6, and says so", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'updyn.conf');
  writeFileSync(
    file,
    [
      `config updyn 'global'`,
      `\toption state_dir '${join(dir, 'state')}'`,
      `config service 'home'`,
      `\toption enabled '1'`,
      `\toption protocol 'dyndns2'`,
      `\toption service_name 'no-ip.com'`,
      `\toption update_url 'http://127.0.0.1:9/nic/update'`,
      `\toption username 'user'`,
      `\toption password '${TOKEN}'`,
      `\tlist host 'example.ddns.net'`,
      `\toption device 'lo'`,
      `\toption ipv4 '0'`,
      `\toption ip_source 'checkip'`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const cc = await runUpdyn(['check-config', '--json', '-c', file]);
  const svc = (JSON.parse(cc.stdout) as { services: Record<string, string>[] }).services[0]!;
  assert.equal(svc.checkip4_url, 'http://ip1.dynupdate.no-ip.com/');
  assert.equal(svc.checkip6_url, '');
  assert.equal(svc.checkip_url, '');
  for (const preset of ['dyn.com', 'dynu.com', 'he.net', 'dnsomatic.com', 'desec.io']) {
    writeFileSync(file, readFileSync(file, 'utf8').replace(/service_name '[^']*'/, `service_name '${preset}'`), { mode: 0o600 });
    const j = JSON.parse((await runUpdyn(['check-config', '--json', '-c', file])).stdout) as { services: Record<string, string>[] };
    const urls = [j.services[0]!.checkip_url, j.services[0]!.checkip4_url, j.services[0]!.checkip6_url].join(' ');
    assert.doesNotMatch(urls, /zerigo/, `${preset}: ${urls}`);
  }
  writeFileSync(file, readFileSync(file, 'utf8').replace(/service_name '[^']*'/, `service_name 'no-ip.com'`), { mode: 0o600 });
  const r = await runUpdyn(['once', '-c', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /home example\.ddns\.net AAAA: no address: ip_source checkip, and no checkip URL is set for ipv6/);
});

// ---------------------------------------------------------------------------
// 1. a catastrophic success_pattern

async function catastrophic(t: import('node:test').TestContext) {
  const dir = tempDir(t);
  const file = join(dir, 'updyn.conf');
  // 40 × 'a' then 'b': '^(a+)+$' tries 2^40 ways before it gives up
  const server = await recorder(t, { answer: (req) => (req.url?.startsWith('/bad') ? { status: 200, body: `${'a'.repeat(40)}b` } : { status: 200, body: 'Status: 200\n' }) });
  const services = [
    { name: 'bad', protocol: 'custom' as const, updateUrl: `${server.url}/bad?ip=[IP]`, token: TOKEN, ipSource: 'interface', ipv6: false, timeout: 3, extra: [`\toption success_pattern '^(a+)+$'`] },
    { name: 'good', updateUrl: `https://127.0.0.1:9/unused`, token: TOKEN, ipSource: 'interface', ipv6: false, hosts: ['good.example.com'] },
  ];
  return { dir, file, server, services };
}

test('a catastrophic success_pattern cannot hang once: the run ends within its timeout and says why', async (t) => {
  const { dir, file, server, services } = await catastrophic(t);
  writeFileSync(file, conf({ stateDir: join(dir, 'state'), services: [services[0]!] }), { mode: 0o600 });
  const started = Date.now();
  const r = await runUpdyn(['once', '-c', file], { timeoutMs: 20_000 });
  const ms = Date.now() - started;
  t.diagnostic(`once with '^(a+)+$' against 40 × a + b ended after ${ms} ms (timeout 3)`);
  assert.equal(r.code, 1, output(r));
  assert.equal(server.requests.length, 1);
  assert.match(r.stderr, /bad example\.zerigo\.com A: rejected by provider \(HTTP 200, but success_pattern did not finish matching the answer within 1 s \(it backtracks too much: simplify it\)\)/);
  assert.ok(ms < 15_000, `${ms} ms`);
  const state = JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8')) as { records: Record<string, { rejected: unknown }> };
  assert.ok(state.records['bad/example.zerigo.com/ipv4']?.rejected, 'the rejection is saved');
});

test('a catastrophic success_pattern cannot hang the daemon: other services are served, SIGTERM is answered, the state is saved', async (t) => {
  const { dir, file, server, services } = await catastrophic(t);
  const good = await recorder(t);
  services[1]!.updateUrl = `${good.url}/dynamic`;
  writeFileSync(file, conf({ stateDir: join(dir, 'state'), services }), { mode: 0o600 });
  const d = new Daemon(['-c', file]);
  t.after(() => d.stop());
  await d.waitFor(/bad example\.zerigo\.com A: rejected by provider \(HTTP 200, but success_pattern did not finish/, 20_000);
  await d.waitFor(/good good\.example\.com A: updated/, 20_000);
  assert.equal(server.requests.length, 1);
  // the event loop is free: a signal is handled, the other service sent again
  const before = good.requests.length;
  const from = d.lines.length;
  d.signal('SIGUSR1');
  await d.waitFor(/good good\.example\.com A: updated/, 20_000, from);
  assert.equal(good.requests.length, before + 1);
  const r = await d.stop(20_000);
  assert.equal(r.code, 0, d.lines.join('\n'));
  const state = JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8')) as { records: Record<string, unknown> };
  assert.ok(state.records['good/good.example.com/ipv4'] && state.records['bad/example.zerigo.com/ipv4']);
});

// ---------------------------------------------------------------------------
// 6. every spelling of the token

test('a provider echoing the token lowercased, UPPERCASED or as base64 gets it into no log, state.json or status.json', async (t) => {
  const spellings = { lower: TOKEN.toLowerCase(), upper: TOKEN.toUpperCase(), base64: Buffer.from(TOKEN).toString('base64'), base64bare: Buffer.from(TOKEN).toString('base64').replace(/=+$/, '') };
  const all = Object.values(spellings).concat(TOKEN);
  let scanned = 0;
  for (const [name, echo] of Object.entries(spellings)) {
    const dir = tempDir(t);
    const file = join(dir, 'updyn.conf');
    // dyndns2 quotes an answer it does not know; zerigo quotes an odd status
    const server = await recorder(t, {
      answer: (req) => (req.url?.startsWith('/nic') ? { status: 200, body: `${echo} is not a known word\n` } : { status: 600, body: `token=${echo}` }),
    });
    writeFileSync(
      file,
      conf({
        stateDir: join(dir, 'state'),
        logLevel: 'debug',
        services: [
          { name: 'dd', protocol: 'dyndns2', updateUrl: `${server.url}/nic/update`, token: TOKEN, ipSource: 'interface', ipv6: false },
          { name: 'zz', updateUrl: `${server.url}/dynamic`, token: TOKEN, ipSource: 'interface', ipv6: false, hosts: ['z.example.com'] },
        ],
      }),
      { mode: 0o600 },
    );
    const r = await runUpdyn(['once', '-c', file]);
    assert.equal(server.requests.length, 2, output(r));
    const d = new Daemon(['-c', file]);
    await d.waitFor(/SIGTERM|dd example\.zerigo\.com A: (provider trouble|rejected)/, 20_000).catch(() => undefined);
    d.signal('SIGUSR1');
    await d.waitFor(/SIGUSR1/, 10_000);
    await d.stop();
    const texts: [string, string][] = [
      ['once output', output(r)],
      ['daemon output', d.lines.join('\n')],
      ['state.json', readFileSync(join(dir, 'state', 'state.json'), 'utf8')],
      ['status.json', readFileSync(join(dir, 'state', 'status.json'), 'utf8')],
    ];
    assert.match(texts[2]![1], /not a known word|HTTP 600/, 'the answer was quoted');
    for (const [where, text] of texts) {
      scanned++;
      for (const f of all) assert.ok(!text.includes(f), `${name}: ${where} holds ${f}:\n${text}`);
    }
  }
  t.diagnostic(`${scanned} outputs and files scanned for ${all.length} spellings: none found`);
});

// ---------------------------------------------------------------------------
// 5. a clock-proof rate limit

test('a wall clock swinging between now and +30 days, the address flipping each run: the bucket is not refilled at every swing', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'updyn.conf');
  let run = 0;
  const server = await recorder(t, {
    answer: (req) => (req.url?.startsWith('/checkip') ? { status: 200, body: `<ipv4>203.0.113.${1 + (run % 2)}</ipv4>` } : { status: 200, body: 'Status: 200\n' }),
  });
  writeFileSync(file, conf({ stateDir: join(dir, 'state'), services: [{ updateUrl: `${server.url}/dynamic`, checkip: server.url, token: TOKEN, ipv6: false }] }), { mode: 0o600 });
  const preload = `--require ${builtPath('test/reliability/clock-preload')}`;
  for (run = 0; run < 10; run++) {
    const shift = run % 2 === 0 ? 0 : 30 * 24 * 3600_000;
    await runUpdyn(['once', '-c', file], { env: { NODE_OPTIONS: preload, UPDYN_CLOCK_SHIFT_MS: String(shift) } });
  }
  const sends = server.requests.filter((q) => q.url.startsWith('/dynamic')).length;
  t.diagnostic(`${sends} sends in 10 runs under a clock alternating real / +30 days`);
  // the burst of 3, and one refill for the first jump forward (30 days of real time would look the same)
  assert.ok(sends <= 4, `${sends} sends`);
  assert.ok(sends >= 3, `${sends} sends: the burst is there`);
});

// ---------------------------------------------------------------------------
// 7. state sanity

async function stateSetup(t: import('node:test').TestContext) {
  const dir = tempDir(t);
  const file = join(dir, 'updyn.conf');
  const server = await recorder(t);
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir, { mode: 0o700 });
  writeFileSync(file, conf({ stateDir, services: [{ updateUrl: `${server.url}/dynamic`, token: TOKEN, ipSource: 'interface', ipv6: false }] }), { mode: 0o600 });
  return { dir, file, server, stateDir, statePath: join(stateDir, 'state.json') };
}

test('a hand-edited state with values out of range is clamped, and once never exits 1 without saying why', async (t) => {
  const { dir, file, statePath } = await stateSetup(t);
  const recent = new Date(Date.now() - 60_000).toISOString();
  const wild = { registered: '127.0.0.1', registered_at: recent, tokens: 1e300, tokens_at: recent, failures: 1e300, trouble_at: recent, trouble_address: '127.0.0.1', trouble_message: 'HTTP 503', retry_delay_s: 1e300, floor_s: 1e300, rejected: null, refresh_spread_s: 1e300, last_attempt_at: recent, last_message: 'HTTP 503', fingerprint: '', sending: null };
  writeFileSync(statePath, JSON.stringify({ version: 1, written_at: recent, records: { 'home/example.zerigo.com/ipv4': wild } }));
  const r = await measuredRun(['once', '-c', file], dir);
  if (r.code !== 0) assert.match(r.stderr, /home example\.zerigo\.com A: still provider trouble \(HTTP 503\) from an earlier run; nothing sent/, output(r));
  const rec = (JSON.parse(readFileSync(statePath, 'utf8')) as { records: Record<string, Record<string, number>> }).records['home/example.zerigo.com/ipv4']!;
  assert.ok(rec.refresh_spread_s! <= 3600, `refresh_spread_s ${rec.refresh_spread_s}`);
  assert.ok(rec.retry_delay_s! <= 86400, `retry_delay_s ${rec.retry_delay_s}`);
  assert.ok(rec.floor_s! <= 86400, `floor_s ${rec.floor_s}`);
  assert.ok(rec.failures! <= 1000, `failures ${rec.failures}`);
  assert.ok(rec.tokens! <= 3);
});

test('a state file over 1 MiB is set aside unread, with a warning: 50 MB or 120k records of unconfigured services cost no memory', async (t) => {
  const figures: string[] = [];
  for (const kind of ['50 MB', '120k records'] as const) {
    const { dir, file, statePath, stateDir, server } = await stateSetup(t);
    const records: Record<string, unknown> = {};
    const recent = new Date(Date.now() - 60_000).toISOString();
    if (kind === '50 MB') records['home/example.zerigo.com/ipv4'] = { registered: '192.0.2.1', last_message: 'x'.repeat(50 * 1024 * 1024) };
    else for (let i = 0; i < 120_000; i++) records[`gone${i}/h${i}.example.com/ipv4`] = { registered: '192.0.2.1', registered_at: recent, last_attempt_at: recent, tokens: 3, tokens_at: recent };
    writeFileSync(statePath, JSON.stringify({ version: 1, written_at: recent, records }));
    const r = await measuredRun(['once', '-c', file], dir);
    assert.equal(r.code, 0, output(r));
    assert.match(r.stderr, /state: .*state\.json is unusable \(\d+ bytes, over the 1024 KiB a state file of this config needs: not read\); moved to .*state\.json\.corrupt-/);
    assert.equal(server.requests.length, 1, 'sent afresh');
    assert.ok(readFileSync(statePath).length < 4096);
    assert.ok(readdirSync(stateDir).some((f) => f.startsWith('state.json.corrupt-')));
    figures.push(`${kind}: peak RSS ${Math.round(r.usage!.maxRssKb / 1024)} MB, ${r.usage!.cpuMs} ms CPU`);
    assert.ok(r.usage!.maxRssKb < 100 * 1024, `${kind}: peak RSS ${r.usage!.maxRssKb} kB`);
  }
  t.diagnostic(figures.join('; '));
});

test('records of services no longer configured are dropped at the next run, not kept for 30 days', async (t) => {
  const { dir, file, statePath } = await stateSetup(t);
  const recent = new Date(Date.now() - 60_000).toISOString();
  const gone = { registered: '192.0.2.1', registered_at: recent, last_attempt_at: recent, tokens: 3, tokens_at: recent };
  writeFileSync(statePath, JSON.stringify({ version: 1, written_at: recent, records: { 'old/a.example.com/ipv4': gone, 'home/other.example.com/ipv4': gone } }));
  const r = await measuredRun(['once', '-c', file], dir);
  assert.equal(r.code, 0, output(r));
  const ids = Object.keys((JSON.parse(readFileSync(statePath, 'utf8')) as { records: object }).records).sort();
  // a host dropped from a configured service keeps its record (it may come back); a removed service does not
  assert.deepEqual(ids, ['home/example.zerigo.com/ipv4', 'home/other.example.com/ipv4']);
});
