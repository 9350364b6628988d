// checkip echoes the connection's source per family; checkip4/checkip6 refuse the other family.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, providerFor } from './client';

test('/checkip answers the source address over IPv4 and over IPv6', async (t) => {
  const p = await providerFor(t);
  const v4 = await get(`${p.url}/checkip`);
  assert.equal(v4.status, 200);
  assert.equal(v4.body, '<ipv4>127.0.0.1</ipv4>');
  assert.match(String(v4.headers['content-type']), /^text\/plain/);
  const v6 = await get(`${p.url6}/checkip`);
  assert.equal(v6.body, '<ipv6>::1</ipv6>');
  assert.deepEqual(
    p.requests.map((r) => [r.endpoint, r.ip, r.record]),
    [
      ['checkip', '127.0.0.1', 'A'],
      ['checkip', '::1', 'AAAA'],
    ],
  );
});

test('/checkip4 answers over IPv4 only, 421 over IPv6', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(`${p.url}/checkip4`)).body, '<ipv4>127.0.0.1</ipv4>');
  const wrong = await get(`${p.url6}/checkip4`);
  assert.equal(wrong.status, 421);
  assert.equal(wrong.body, 'checkip4 answers over IPv4 only\n');
});

test('/checkip6 answers over IPv6 only, 421 over IPv4', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(`${p.url6}/checkip6`)).body, '<ipv6>::1</ipv6>');
  const wrong = await get(`${p.url}/checkip6`);
  assert.equal(wrong.status, 421);
  assert.equal(wrong.body, 'checkip6 answers over IPv6 only\n');
});

test('a trailing slash names the same checkip (the default URLs end in /)', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(`${p.url}/checkip/`)).body, '<ipv4>127.0.0.1</ipv4>');
  assert.equal((await get(`${p.url}/checkip4/`)).body, '<ipv4>127.0.0.1</ipv4>');
});

test('setCheckipAnswer plays NAT per family, and null brings back the source', async (t) => {
  const p = await providerFor(t);
  p.setCheckipAnswer('ipv4', '203.0.113.77');
  p.setCheckipAnswer('ipv6', '2001:DB8::77');
  assert.equal((await get(`${p.url}/checkip`)).body, '<ipv4>203.0.113.77</ipv4>');
  assert.equal((await get(`${p.url}/checkip4`)).body, '<ipv4>203.0.113.77</ipv4>');
  assert.equal((await get(`${p.url6}/checkip`)).body, '<ipv6>2001:db8::77</ipv6>');
  assert.equal((await get(`${p.url6}/checkip6`)).body, '<ipv6>2001:db8::77</ipv6>');
  p.setCheckipAnswer('ipv4', null);
  assert.equal((await get(`${p.url}/checkip`)).body, '<ipv4>127.0.0.1</ipv4>');
  assert.equal((await get(`${p.url6}/checkip`)).body, '<ipv6>2001:db8::77</ipv6>');
});

test('an answer of the other family is tagged as what it is (a provider answering the wrong family)', async (t) => {
  const p = await providerFor(t);
  p.setCheckipAnswer('ipv4', '2001:db8::9');
  assert.equal((await get(`${p.url}/checkip4`)).body, '<ipv6>2001:db8::9</ipv6>');
});

test('setCheckipAnswer refuses what is not an address', async (t) => {
  const p = await providerFor(t);
  assert.throws(() => p.setCheckipAnswer('ipv4', 'example.com'), /not an IP address/);
  assert.throws(() => p.setCheckipAnswer('ipv5' as 'ipv4', '1.2.3.4'), /unknown family/);
});

test('checkip takes GET only', async (t) => {
  const p = await providerFor(t);
  assert.equal((await get(`${p.url}/checkip`, { method: 'DELETE' })).status, 405);
});
