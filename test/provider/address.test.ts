// Addresses are compared as a provider stores them: canonical text, so spelling never matters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIPv6, ipv6Bytes, isFqdn, normalizeRemote, parseIp } from './address';

test('IPv6 addresses are stored in RFC 5952 form', () => {
  const cases: [string, string][] = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], // the longest run, not a lone zero
    ['2001:db8:1:1:1:1:1:0', '2001:db8:1:1:1:1:1:0'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::FFFF:c000:201', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['fe80:0000::0001', 'fe80::1'],
  ];
  for (const [given, canonical] of cases) assert.equal(parseIp(given)?.ip, canonical, given);
});

test('bytes and text round-trip', () => {
  assert.deepEqual([...ipv6Bytes('2001:db8::ff00:42:8329')], [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]);
  assert.equal(formatIPv6(ipv6Bytes('2001:db8::ff00:42:8329')), '2001:db8::ff00:42:8329');
});

test('only what net.isIP accepts, without zone ids, is an address', () => {
  assert.deepEqual(parseIp('192.0.2.1'), { ip: '192.0.2.1', family: 'ipv4', record: 'A' });
  assert.equal(parseIp('2001:db8::1')?.record, 'AAAA');
  for (const bad of ['', '1.2.3', '01.2.3.4', '1.2.3.4.5', ' 1.2.3.4', 'fe80::1%eth0', 'fe80::1%1', '[::1]', 'localhost', '::g']) {
    assert.equal(parseIp(bad), null, bad);
  }
});

test('a v4-mapped peer address counts as the IPv4 it maps', () => {
  assert.deepEqual(normalizeRemote('::ffff:127.0.0.1'), { ip: '127.0.0.1', family: 'ipv4', record: 'A' });
  assert.equal(normalizeRemote('::1').family, 'ipv6');
});

test('fully qualified names', () => {
  for (const ok of ['example.com', 'a.b.example.com', 'x-1.example.com', 'EXAMPLE.com.', `${'a'.repeat(63)}.com`]) assert.ok(isFqdn(ok), ok);
  for (const bad of ['', 'com', 'example', '1.2.3.4', '-a.example.com', 'a-.example.com', 'a..com', `${'a'.repeat(64)}.com`, 'a b.com', `${'a.'.repeat(127)}com`]) {
    assert.ok(!isFqdn(bad), bad);
  }
});
