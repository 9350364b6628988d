// The schema for cloudflare, nsupdate and the custom presets: defaults, the
// protocol's own options, what an enabled service needs, clear errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/schema';
import { custom } from '../../src/providers/custom';
import type { ServiceConfig } from '../../src/types';

const SECRET = Buffer.alloc(32, 7).toString('base64');

function parse(body: string) {
  return parseConfig('t.conf', `config service 'home'\n\toption enabled '1'\n\tlist host 'home.example.com'\n\toption device 'eth0'\n${body}`);
}
function service(body: string): ServiceConfig {
  const r = parse(body);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.services[0]!;
}
function errors(body: string): string[] {
  const r = parse(body);
  return r.ok ? [] : r.error.map((e) => `${e.line}: ${e.message}`);
}

test('cloudflare: the API base, ttl 1 (automatic), not proxied; no username needed', () => {
  const s = service("\toption protocol 'cloudflare'\n\toption password 'tok-0123456789'\n");
  assert.deepEqual([s.update_url, s.zone, s.ttl, s.proxied], ['https://api.cloudflare.com/client/v4', '', 1, false]);
  const s2 = service("\toption protocol 'cloudflare'\n\toption password 'tok'\n\toption zone 'example.com'\n\toption ttl '120'\n\toption proxied '1'\n");
  assert.deepEqual([s2.zone, s2.ttl, s2.proxied], ['example.com', 120, true]);
  assert.deepEqual(errors("\toption protocol 'cloudflare'\n\toption password 'tok'\n\toption ttl '5'\n"), [
    "7: option 'ttl' in section 'home': '5' must be 1 (automatic) or a whole number from 30 to 86400",
  ]);
  assert.deepEqual(errors("\toption protocol 'cloudflare'\n\toption password 'tok'\n\toption zone 'example.net'\n"), [
    "7: option 'zone' in section 'home': 'example.net' does not hold host 'home.example.com'",
  ]);
});

test('nsupdate: needs zone and dns_server; ttl 300 and hmac-sha256 by default; the secret must be base64', () => {
  const base = `\toption protocol 'nsupdate'\n\toption username 'updyn-key'\n\toption password '${SECRET}'\n`;
  assert.deepEqual(errors(base), [
    "1: section 'home': an enabled service needs a zone (option zone 'example.com')",
    "1: section 'home': an enabled service needs the primary server (option dns_server 'IP' or 'IP:port')",
  ]);
  const s = service(`${base}\toption zone 'example.com'\n\toption dns_server '192.0.2.53:5353'\n`);
  assert.deepEqual([s.zone, s.ttl, s.tsig_algorithm, s.dns_server, s.update_url], ['example.com', 300, 'hmac-sha256', '192.0.2.53:5353', '']);
  const r = parse(`${base}\toption zone 'example.com'\n\toption dns_server '192.0.2.53'\n`);
  assert.ok(r.ok && !r.value.warnings.some((w) => w.includes('dns_server')), 'dns_server is used without verify_dns');
  const bad = errors(`\toption protocol 'nsupdate'\n\toption username 'k'\n\toption password 'not base64!'\n\toption zone 'example.com'\n\toption dns_server '192.0.2.53'\n\toption tsig_algorithm 'hmac-md5'\n`);
  assert.deepEqual(bad, [
    "10: option 'tsig_algorithm' in section 'home': 'hmac-md5' must be one of hmac-sha256, hmac-sha512",
    "7: option 'password' in section 'home': the value (not shown: it may hold a secret) must be the base64 TSIG secret",
  ].sort((a, b) => parseInt(a) - parseInt(b)));
  assert.ok(!bad.join('').includes('not base64'), 'the secret is never echoed');
});

test('options of other protocols are warnings, not silently taken', () => {
  const r = parse("\toption username 'u'\n\toption password 'p'\n\toption zone 'example.com'\n\toption ttl '60'\n");
  assert.ok(r.ok);
  assert.deepEqual(r.value.warnings.filter((w) => /zone|ttl/.test(w)), [
    "t.conf:7: option 'zone' in section 'home' is only used with protocol 'cloudflare' or 'nsupdate', so it is ignored",
    "t.conf:8: option 'ttl' in section 'home' is only used with protocol 'cloudflare' or 'nsupdate', so it is ignored",
  ]);
});

test('custom presets fill the URL template, the success pattern and no third-party checkip', () => {
  const cases: [string, string, string, string, string][] = [
    ['duckdns.org', 'https://www.duckdns.org/update?domains=[DOMAIN]&token=[PASSWORD]&ip=[IP]', '^OK', 'OK', 'KO'],
    ['dynv6.com', 'https://dynv6.com/api/update?zone=[DOMAIN]&token=[PASSWORD]&ipv4=[IPV4]&ipv6=[IPV6]', '^addresses (updated|unchanged)', 'addresses unchanged', 'invalid authentication token'],
    ['freedns.afraid.org', 'https://sync.afraid.org/u/[PASSWORD]/?address=[IP]', '^Updated|^No IP change detected|has not changed', 'No IP change detected for home.example.com', 'ERROR: Unable to locate this record'],
  ];
  for (const [name, url, pattern, good, bad] of cases) {
    const s = service(`\toption protocol 'custom'\n\toption service_name '${name}'\n\toption password 'tok-0123456789'\n`);
    assert.deepEqual([s.update_url, s.success_pattern, s.checkip_url, s.checkip4_url, s.checkip6_url], [url, pattern, '', '', ''], name);
    assert.match(good, new RegExp(s.success_pattern), name);
    assert.doesNotMatch(bad, new RegExp(s.success_pattern), name);
  }
  assert.deepEqual(errors("\toption protocol 'custom'\n\toption service_name 'nope.example'\n\toption password 'x'\n"), [
    "6: option 'service_name' in section 'home': 'nope.example' must name a known custom provider (duckdns.org, dynv6.com, freedns.afraid.org)",
    "1: section 'home': an enabled service needs service_name (one of duckdns.org, dynv6.com, freedns.afraid.org) or update_url",
  ].sort((a, b) => parseInt(a) - parseInt(b)));
});

test('dynv6: each record fills only its own family, so the other stays as it is', () => {
  const s = service("\toption protocol 'custom'\n\toption service_name 'dynv6.com'\n\toption password 'tok/+=&'\n");
  const v4 = new URL(custom.build({ service: s, host: 'home.example.com', family: 'ipv4', address: '192.0.2.7' }).url).searchParams;
  const v6 = new URL(custom.build({ service: s, host: 'home.example.com', family: 'ipv6', address: '2001:db8::7' }).url).searchParams;
  assert.deepEqual([v4.get('ipv4'), v4.get('ipv6'), v4.get('token')], ['192.0.2.7', '', 'tok/+=&']);
  assert.deepEqual([v6.get('ipv4'), v6.get('ipv6')], ['', '2001:db8::7']);
});
