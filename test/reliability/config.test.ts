// Hostile and broken configs through the shipped bundle: every option with a
// wrong type or out of range (exit 2, `FILE:LINE:` on the line that holds it),
// thousands of hosts (fast and bounded), and hosts and tokens full of shell
// syntax, quotes and newlines (never interpreted: a token reaches the provider
// byte for byte, a bad host is an error on its own line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import { tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { runUpdyn } from '../support/updyn';
import { USER, conf, measuredRun, output } from './support';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A valid config whose line `at` (1-based) is `line`: the global section, then one service. */
function configWith(section: 'global' | 'service', line: string, protocol = 'zerigo'): { text: string; at: number } {
  const global = [`config updyn 'global'`, `\toption log_level 'info'`, `\toption state_dir '/tmp/updyn-never-written'`];
  const service = [
    `config service 'home'`,
    `\toption enabled '1'`,
    `\toption protocol '${protocol}'`,
    `\toption update_url 'https://dyn.example.net/update?h=[DOMAIN]&ip=[IP]'`,
    `\toption username '${USER}'`,
    `\toption password '${TOKEN}'`,
    `\tlist host 'example.zerigo.com'`,
    `\toption device 'eth0'`,
  ];
  if (section === 'global') global.push(line);
  else service.push(line);
  const lines = [...global, '', ...service];
  return { text: `${lines.join('\n')}\n`, at: lines.indexOf(line) + 1 };
}

// [section, the line, what the message says (after the line number), protocol]
const BAD: [('global' | 'service'), string, RegExp, string?][] = [
  ['global', `\toption log_level 'verbose'`, /option 'log_level' in section 'global': 'verbose' must be one of debug, info, warn, error/],
  ['global', `\toption log_format 'xml'`, /option 'log_format' .* must be one of text, json/],
  ['global', `\toption state_dir 'var/run/updyn'`, /option 'state_dir' .* must be an absolute path/],
  ['global', `\tlist log_format 'text'`, /option 'log_format' in section 'global' must be a single value/],
  ['service', `\toption enabled 'maybe'`, /option 'enabled' in section 'home': 'maybe' must be a boolean/],
  ['service', `\toption ipv4 '2'`, /option 'ipv4' .* must be a boolean/],
  ['service', `\toption ipv6 'yes please'`, /option 'ipv6' .* must be a boolean/],
  ['service', `\toption verify_dns 'sure'`, /option 'verify_dns' .* must be a boolean/],
  ['service', `\toption protocol 'ftp'`, /option 'protocol' .* must be one of zerigo, dyndns2, custom/],
  ['service', `\toption auth 'digest'`, /option 'auth' .* must be one of basic, query, none/],
  ['service', `\toption ip_source 'dhcp'`, /option 'ip_source' .* must be one of auto, interface, checkip/],
  ['service', `\toption service_name 'nope.example'`, /option 'service_name' .* must name a known dyndns2 provider/, 'dyndns2'],
  ['service', `\toption update_url 'ftp://dyn.example.net/'`, /option 'update_url' in section 'home': the value \(not shown: it may hold a secret\) must start with http:\/\/ or https:\/\//],
  ['service', `\toption update_url 'not a url'`, /option 'update_url' .* must not contain spaces/],
  ['service', `\toption checkip_url 'gopher://x.example.net/'`, /option 'checkip_url' .* must start with http/],
  ['service', `\toption checkip4_url 'nope'`, /option 'checkip4_url' .* is not a valid URL/],
  ['service', `\toption checkip6_url 'http://'`, /option 'checkip6_url' .* is not a valid URL|has no host/],
  ['service', `\toption check_interval '59'`, /option 'check_interval' .* '59' must be a whole number from 60 to 86400/],
  ['service', `\toption check_interval '86401'`, /option 'check_interval' .* must be a whole number from 60 to 86400/],
  ['service', `\toption check_interval '5m'`, /option 'check_interval' .* '5m' must be a whole number/],
  ['service', `\toption force_interval '3599'`, /option 'force_interval' .* must be a whole number from 3600 to 2419200/],
  ['service', `\toption force_interval '-1'`, /option 'force_interval' .* must be a whole number/],
  ['service', `\toption timeout '0'`, /option 'timeout' .* '0' must be a whole number from 1 to 60/],
  ['service', `\toption timeout '61'`, /option 'timeout' .* must be a whole number from 1 to 60/],
  ['service', `\toption timeout '1e1'`, /option 'timeout' .* must be a whole number from 1 to 60/],
  ['service', `\toption timeout '99999999999999999999'`, /option 'timeout' .* must be a whole number from 1 to 60/],
  ['service', `\tlist timeout '5'`, /option 'timeout' in section 'home' must be a single value/],
  ['service', `\toption success_pattern '(unclosed'`, /option 'success_pattern' .* is not a valid JavaScript regular expression/, 'custom'],
  ['service', `\toption dns_server '1.2.3'`, /option 'dns_server' .* must be an IP address, IPv4:port or \[IPv6\]:port/],
  ['service', `\toption dns_server '192.0.2.1:70000'`, /option 'dns_server' .* has a port outside 1 to 65535|must be an IP address/],
  ['service', `\toption cacert 'ca.pem'`, /option 'cacert' .* must be an absolute path/],
  ['service', `\toption device 'eth0/1'`, /option 'device' .* is not a valid Linux device name/],
  ['service', `\toption device 'averyveryverylongdev'`, /option 'device' .* is longer than 15 characters/],
  ['service', `\toption interface 'wan!'`, /option 'interface' .* is not an OpenWrt interface name/],
  ['service', `\tlist host 'nodots'`, /option 'host' .* 'nodots' must be a fully qualified name/],
  ['service', `\tlist host 'a..example.com'`, /option 'host' .* has an empty label/],
  ['service', `\tlist host '-x.example.com'`, /option 'host' .* may hold only letters, digits and inner hyphens/],
  ['service', `\tlist host 'x.example.123'`, /option 'host' .* ends in a numeric label/],
  ['service', `\tlist host '${'a'.repeat(64)}.example.com'`, /option 'host' .* has a label longer than 63 characters/],
  ['service', `\tlist host '${'abcdefghi.'.repeat(26)}com'`, /option 'host' .* is longer than 253 characters/],
];

/** Runs `fn` over `items`, `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

test(`every option with a wrong type or out of range (${BAD.length} cases): exit 2 and FILE:LINE on the line that holds it`, async (t) => {
  const dir = tempDir(t);
  await pool(BAD, 4, async ([section, line, message, protocol], i) => {
    const { text, at } = configWith(section, line, protocol);
    const file = join(dir, `bad-${i}.conf`);
    writeFileSync(file, text, { mode: 0o600 });
    for (const json of [false, true]) {
      const r = await runUpdyn(['check-config', '-c', file, ...(json ? ['--json'] : [])]);
      assert.equal(r.code, 2, `${line}: exit ${r.code}\n${output(r)}`);
      const errors = r.stderr.trim().split('\n');
      assert.equal(errors.length, 1, `${line}: one error, one line:\n${r.stderr}`);
      assert.match(errors[0]!, new RegExp(`^${esc(file)}:${at}: ${message.source}`), line);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      if (json) assert.deepEqual(JSON.parse(r.stdout), { errors });
    }
  });
  // `once` and `run` refuse it the same way, before touching anything
  const { text, at } = configWith('service', `\toption timeout '0'`);
  const file = join(dir, 'run.conf');
  writeFileSync(file, text, { mode: 0o600 });
  for (const cmd of ['once', 'run']) {
    const r = await runUpdyn([cmd, '-c', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^${esc(file)}:${at}: option 'timeout'`, 'm'));
  }
});

const HOSTILE = [
  `it's`,
  'say "hi"',
  'a;b',
  '$(touch CANARY)',
  '`touch CANARY`',
  'line\nbreak',
  '& | > < * ? ~ # %41 +=/',
  '\\x41 \\n',
  '${IFS}$PATH',
];

test('tokens full of shell syntax, quotes and newlines reach the provider byte for byte, with every auth mode and protocol', async (t) => {
  const dir = tempDir(t);
  const canary = join(dir, 'canary');
  const tokens = HOSTILE.map((h) => `tok-${h.replace(/CANARY/g, canary)}`);
  const provider = await startProvider({ accounts: tokens.map((token) => ({ user: USER, token, hosts: ['example.zerigo.com'] })) });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.5');
  const runs = [
    { protocol: 'zerigo' as const, auth: 'basic', path: '/dynamic' },
    { protocol: 'zerigo' as const, auth: 'query', path: '/dynamic' },
    { protocol: 'dyndns2' as const, auth: 'basic', path: '/nic/update' },
    { protocol: 'custom' as const, auth: 'none', path: '/custom?domain=[DOMAIN]&addr=[IP]&u=[USERNAME]&p=[PASSWORD]' },
  ];
  let n = 0;
  for (const token of tokens) {
    for (const run of runs) {
      const file = join(dir, `t${n++}.conf`);
      writeFileSync(
        file,
        conf({
          stateDir: join(dir, `state${n}`),
          services: [{ protocol: run.protocol, auth: run.auth, updateUrl: `${provider.url}${run.path}`, checkip: provider.url, token, ipv6: false }],
        }),
        { mode: 0o600 },
      );
      const r = await runUpdyn(['once', '-c', file]);
      assert.equal(r.code, 0, `${JSON.stringify(token)} ${run.protocol}/${run.auth}: ${output(r)}`);
      const last = provider.requests.at(-1)!;
      assert.equal(last.auth?.password, token, `${run.protocol}/${run.auth}: the provider got ${JSON.stringify(last.auth?.password)}`);
      assert.ok(!output(r).includes(token), 'the token is in no output');
      const cc = await runUpdyn(['check-config', '-c', file, '--json']);
      assert.equal(cc.code, 0);
      assert.equal(JSON.parse(cc.stdout).services[0].password, '(redacted)');
      assert.ok(!output(cc).includes(token));
    }
  }
  assert.equal(existsSync(canary), false, 'no shell ever ran a value');
  t.diagnostic(`${tokens.length} hostile tokens x ${runs.length} protocol/auth modes: every one arrived intact`);
});

test('host names full of shell syntax, quotes and newlines: one error each, on its own line, pointing at its line, echoed escaped', async (t) => {
  const dir = tempDir(t);
  const canary = join(dir, 'canary');
  const hosts = HOSTILE.map((h) => `${h.replace(/CANARY/g, canary)}.example.com`);
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  const lines = [`config service 'home'`, `\toption enabled '1'`, `\toption password '${TOKEN}'`, `\toption username 'u'`, `\toption device 'eth0'`];
  const expected: number[] = [];
  for (const h of hosts) {
    expected.push(lines.join('\n').split('\n').length + 1);
    lines.push(`\tlist host ${quote(h)}`);
  }
  const file = join(dir, 'hosts.conf');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  for (const cmd of [['check-config'], ['once'], ['run']]) {
    const r = await runUpdyn([...cmd, '-c', file]);
    assert.equal(r.code, 2, output(r));
    const errors = r.stderr.trim().split('\n');
    // several names in one item (spaces) are each checked, so a line may carry more than one error
    const at = new Set(errors.map((e) => Number(new RegExp(`^${esc(file)}:(\\d+): option 'host' in section 'home': '`).exec(e)?.[1])));
    assert.deepEqual([...at].sort((a, b) => a - b), expected, r.stderr);
    for (const e of errors) assert.match(e, /^[\x20-\x7e…]+$/, `one printable line: ${JSON.stringify(e)}`);
  }
  assert.equal(existsSync(canary), false, 'no shell ever ran a value');
});

test('thousands of hosts: check-config and once stay fast and bounded', async (t) => {
  const dir = tempDir(t);
  const count = 2000;
  const hosts = Array.from({ length: count }, (_, i) => `h${i}.example.net`);
  const provider = await startProvider({ accounts: [{ user: USER, token: TOKEN, hosts }] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.5');
  provider.setCheckipAnswer('ipv6', '2001:db8::5');
  const file = join(dir, 'many.conf');
  writeFileSync(file, conf({ stateDir: join(dir, 'state'), services: [{ updateUrl: `${provider.url}/dynamic`, checkip: provider.url, token: TOKEN, hosts, timeout: 10 }] }), { mode: 0o600 });

  let started = Date.now();
  const cc = await measuredRun(['check-config', '-c', file, '--json'], dir);
  const ccMs = Date.now() - started;
  assert.equal(cc.code, 0, cc.stderr);
  assert.equal(JSON.parse(cc.stdout).services[0].host.length, count);

  // a router's file limit: every request needs a socket, and they must not all be open at once
  const lowFiles = ['prlimit', '--nofile=1024:1024', '--'];
  started = Date.now();
  const first = await measuredRun(['once', '-c', file], dir, { prefix: lowFiles, timeoutMs: 60_000 });
  const firstMs = Date.now() - started;
  assert.equal(first.code, 0, output(first).split('\n').filter((l) => !/ (address|sending|updated) /.test(l)).slice(0, 20).join('\n'));
  assert.equal(provider.requests.filter((r) => r.endpoint === 'update').length, 2 * count);
  started = Date.now();
  const second = await measuredRun(['once', '-c', file], dir, { prefix: lowFiles });
  const secondMs = Date.now() - started;
  assert.equal(second.code, 0);
  assert.equal(provider.requests.filter((r) => r.endpoint === 'update').length, 2 * count, 'nothing sent twice');
  // every address changed: each burst of requests waits for its write-ahead save of the whole state
  provider.setCheckipAnswer('ipv4', '198.51.100.5');
  provider.setCheckipAnswer('ipv6', '2001:db8::6');
  started = Date.now();
  const third = await measuredRun(['once', '-c', file], dir, { prefix: lowFiles, timeoutMs: 60_000 });
  const thirdMs = Date.now() - started;
  assert.equal(third.code, 0, output(third).split('\n').filter((l) => !/ (address|sending|updated) /.test(l)).slice(0, 20).join('\n'));
  assert.equal(provider.requests.filter((r) => r.endpoint === 'update').length, 4 * count);
  const stateKb = Math.round(readFileSync(join(dir, 'state', 'state.json')).length / 1024);
  const mb = (u: typeof first) => Math.round(u.usage!.maxRssKb / 1024);
  t.diagnostic(
    `${count} hosts (${2 * count} records), 1024 open files at most: check-config ${ccMs} ms, ${mb(cc)} MB; ` +
      `first once ${firstMs} ms (${first.usage!.cpuMs} ms CPU), ${mb(first)} MB; nothing to send ${secondMs} ms, ${mb(second)} MB; ` +
      `every address changed ${thirdMs} ms (${third.usage!.cpuMs} ms CPU), ${mb(third)} MB; state.json ${stateKb} kB`,
  );
  assert.ok(ccMs < 3000, `check-config took ${ccMs} ms`);
  assert.ok(firstMs < 15_000 && secondMs < 5000 && thirdMs < 30_000, `once took ${firstMs} / ${secondMs} / ${thirdMs} ms`);
  for (const r of [first, second, third]) assert.ok(r.usage!.maxRssKb < 200 * 1024, `once peaked at ${r.usage!.maxRssKb} kB`);
});
