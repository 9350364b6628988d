// Which address gets published: the pure rules, table by table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isPublic, selectAddress } from '../../src/detect/select';
import { canonicalAddress, formatIPv6, parseIPv6 } from '../../src/lib/ip';
import type { DeviceSnapshot, Family, InterfaceAddress } from '../../src/types';
import { deviceWith, interfaceAddress } from '../support/fixtures';

const addr = interfaceAddress;

const dev = (...addresses: InterfaceAddress[]): DeviceSnapshot => deviceWith('wan', ...addresses);

describe('which addresses count as public', () => {
  const cases: [Family, string, boolean][] = [
    ['ipv4', '203.0.113.5', true],
    ['ipv4', '192.0.2.1', true],
    ['ipv4', '198.51.100.200', true],
    ['ipv4', '8.8.8.8', true],
    ['ipv4', '10.1.2.3', false],
    ['ipv4', '172.16.0.1', false],
    ['ipv4', '172.31.255.255', false],
    ['ipv4', '172.32.0.1', true],
    ['ipv4', '192.168.1.1', false],
    ['ipv4', '100.64.0.1', false],
    ['ipv4', '100.127.255.254', false],
    ['ipv4', '100.128.0.1', true],
    ['ipv4', '169.254.10.10', false],
    ['ipv4', '127.0.0.1', false],
    ['ipv4', '0.1.2.3', false],
    ['ipv4', '224.0.0.251', false],
    ['ipv4', '239.255.255.250', false],
    ['ipv4', '240.0.0.1', false],
    ['ipv4', '255.255.255.255', false],
    ['ipv6', '2001:db8::5', true],
    ['ipv6', '2a00:1450:4001:80b::200e', true],
    ['ipv6', 'fd00::1', false],
    ['ipv6', 'fc12:3456::1', false],
    ['ipv6', 'fe80::1', false],
    ['ipv6', 'febf::1', false],
    ['ipv6', 'fec0::1', false],
    ['ipv6', '::1', false],
    ['ipv6', '::', false],
    ['ipv6', 'ff02::1', false],
    ['ipv6', '::ffff:203.0.113.5', false],
    ['ipv6', '100::1', false],
    ['ipv6', '100:0:0:1::1', true],
    ['ipv6', 'not-an-address', false],
    ['ipv4', '2001:db8::1', false],
  ];
  for (const [family, address, expected] of cases) {
    test(`${address} is ${expected ? '' : 'not '}public (${family})`, () => {
      assert.equal(isPublic(family, address), expected);
    });
  }
});

describe('addresses are spelled one way (RFC 5952)', () => {
  const cases: [Family, string, string | null][] = [
    ['ipv6', '2001:DB8::5', '2001:db8::5'],
    ['ipv6', '2001:0db8:0000:0000:0000:0000:0000:0005', '2001:db8::5'],
    ['ipv6', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['ipv6', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['ipv6', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['ipv6', '0:0:0:0:0:0:0:0', '::'],
    ['ipv6', '0:0:0:0:0:0:0:1', '::1'],
    ['ipv6', '1:0:0:0:0:0:0:0', '1::'],
    ['ipv6', '::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['ipv6', '::FFFF:c000:0201', '::ffff:192.0.2.1'],
    ['ipv6', '64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['ipv6', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['ipv6', ' 2001:db8::5\n', '2001:db8::5'],
    ['ipv6', '2001:db8::5%eth0', null],
    ['ipv6', '2001:db8:::5', null],
    ['ipv6', '2001:db8::5::1', null],
    ['ipv6', '1:2:3:4:5:6:7:8:9', null],
    ['ipv6', '1:2:3:4:5:6:7', null],
    ['ipv6', '12345::', null],
    ['ipv6', ':1::2', null],
    ['ipv6', '1::2:', null],
    ['ipv6', '::1.2.3', null],
    ['ipv6', '1:2:3:4:5:6:7:1.2.3.4', null],
    ['ipv6', '', null],
    ['ipv4', '203.0.113.5', '203.0.113.5'],
    ['ipv4', '203.0.113.05', null],
    ['ipv4', '203.0.113', null],
    ['ipv4', '203.0.113.256', null],
    ['ipv4', '0x7f.0.0.1', null],
    ['ipv4', '::1', null],
  ];
  for (const [family, text, expected] of cases) {
    test(`${JSON.stringify(text)} reads as ${expected ?? 'invalid'}`, () => {
      assert.equal(canonicalAddress(family, text), expected);
    });
  }

  test('any sixteen bytes print as the WHATWG URL parser prints them, and read back the same', () => {
    // bytes biased to zero groups, where compression choices are made
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = new Uint8Array(16);
        groups.forEach((g, i) => {
          bytes[2 * i] = g >> 8;
          bytes[2 * i + 1] = g & 0xff;
        });
        const text = formatIPv6(bytes);
        assert.deepEqual(parseIPv6(text), bytes);
        const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        if (!mapped) assert.equal(text, new URL(`http://[${text.toUpperCase()}]/`).hostname.slice(1, -1));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('which IPv4 address of a device is published', () => {
  test('the primary address, not a secondary one in the same subnet', () => {
    const s = dev(addr('203.0.113.5'), addr('203.0.113.9', { secondary: true }));
    assert.deepEqual(selectAddress('ipv4', s), { address: '203.0.113.5', public: true });
  });
  test('the first primary when there are several', () => {
    const s = dev(addr('198.51.100.1', { secondary: true }), addr('203.0.113.5'), addr('192.0.2.7'));
    assert.equal(selectAddress('ipv4', s)?.address, '203.0.113.5');
  });
  test('a secondary when the kernel reports nothing else', () => {
    assert.equal(selectAddress('ipv4', dev(addr('203.0.113.9', { secondary: true })))?.address, '203.0.113.9');
  });
  test('a private or CGNAT primary is returned, marked not public (checkip decides)', () => {
    assert.deepEqual(selectAddress('ipv4', dev(addr('10.0.0.2'))), { address: '10.0.0.2', public: false });
    assert.deepEqual(selectAddress('ipv4', dev(addr('100.64.3.4'))), { address: '100.64.3.4', public: false });
  });
  test('no IPv4 address means none, even with IPv6 ones', () => {
    assert.equal(selectAddress('ipv4', dev(addr('2001:db8::5'))), null);
    assert.equal(selectAddress('ipv4', { name: 'wan', present: false, up: false, addresses: [] }), null);
  });
});

describe('which IPv6 address of a device is published', () => {
  const pick = (s: DeviceSnapshot, previous?: string | null) => selectAddress('ipv6', s, previous)?.address ?? null;

  const skipped: [string, Partial<InterfaceAddress>][] = [
    ['temporary (privacy)', { temporary: true }],
    ['deprecated', { deprecated: true }],
    ['preferred lifetime 0', { preferredLifetime: 0 }],
    ['tentative (DAD running)', { tentative: true }],
    ['DAD failed', { dadfailed: true, tentative: true }],
    ['link scope', { scope: 'link' }],
    ['host scope', { scope: 'host' }],
  ];
  for (const [what, over] of skipped) {
    test(`a ${what} address is never chosen`, () => {
      assert.equal(pick(dev(addr('2001:db8::1', over))), null);
      assert.equal(pick(dev(addr('2001:db8::1', over), addr('2001:db8::2', { permanent: false, preferredLifetime: 60 }))), '2001:db8::2');
    });
  }

  test('a link-local address alone gives none', () => {
    assert.equal(pick(dev(addr('fe80::1', { scope: 'link' }))), null);
  });
  test('a ULA is returned, marked not public, when nothing better exists', () => {
    assert.deepEqual(selectAddress('ipv6', dev(addr('fd00::5'))), { address: 'fd00::5', public: false });
  });
  test('a public address beats a ULA, whatever their order and flags', () => {
    const s = dev(addr('fd00::5'), addr('2001:db8::5', { permanent: false, preferredLifetime: 10 }));
    assert.equal(pick(s), '2001:db8::5');
  });
  test('a static (permanent) address beats a SLAAC one with a longer lifetime', () => {
    const s = dev(addr('2001:db8::a', { permanent: false, preferredLifetime: 86400 }), addr('2001:db8::5'));
    assert.equal(pick(s), '2001:db8::5');
  });
  test('among dynamic addresses the longest preferred lifetime wins', () => {
    const s = dev(
      addr('2001:db8::a', { permanent: false, preferredLifetime: 600 }),
      addr('2001:db8::b', { permanent: false, preferredLifetime: 3600 }),
      addr('2001:db8::c', { permanent: false, preferredLifetime: 1800 }),
    );
    assert.equal(pick(s), '2001:db8::b');
  });
  test('on a full tie the lowest address wins, whatever the list order', () => {
    assert.equal(pick(dev(addr('2001:db8::b'), addr('2001:db8::a'))), '2001:db8::a');
    assert.equal(pick(dev(addr('2001:db8::a'), addr('2001:db8::b'))), '2001:db8::a');
    assert.equal(pick(dev(addr('2001:db8:1::1'), addr('2001:db8::ffff'))), '2001:db8::ffff');
  });
  test('the address already published is kept while it stays valid (no flip-flop)', () => {
    const s = dev(
      addr('2001:db8::a', { permanent: false, preferredLifetime: 600 }),
      addr('2001:db8::b', { permanent: false, preferredLifetime: 3600 }),
    );
    assert.equal(pick(s, '2001:db8::a'), '2001:db8::a');
    assert.equal(pick(s, '2001:0DB8:0::a'), '2001:db8::a', 'previous compared in canonical form');
  });
  test('the previous address is dropped once it is deprecated or gone', () => {
    const s = dev(addr('2001:db8::a', { deprecated: true, preferredLifetime: 0 }), addr('2001:db8::b', { permanent: false, preferredLifetime: 300 }));
    assert.equal(pick(s, '2001:db8::a'), '2001:db8::b');
    assert.equal(pick(dev(addr('2001:db8::b')), '2001:db8::9'), '2001:db8::b');
  });
  test('a non-public previous address gives way to a public one', () => {
    assert.equal(pick(dev(addr('fd00::1'), addr('2001:db8::5')), 'fd00::1'), '2001:db8::5');
  });
  test('the answer is in canonical form', () => {
    assert.equal(pick(dev(addr('2001:0DB8:0:0::0005'))), '2001:db8::5');
  });
  test('a device without addresses gives none for either family', () => {
    assert.equal(selectAddress('ipv6', dev()), null);
    assert.equal(selectAddress('ipv4', dev()), null);
  });
});
