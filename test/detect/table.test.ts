// The netlink watcher's table, fed by hand: what the kernel's messages turn
// into, and what counts as a change worth announcing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { rt } from 'netlink';
import { decodeAddress, decodeLink } from '../../src/detect/nlmsg';
import { LinkTable, viewKey, type AddressInfo } from '../../src/detect/table';
import { parseIPv4, parseIPv6 } from '../../src/lib/ip';
import { deviceWith, interfaceAddress } from '../support/fixtures';

const FOREVER = 0xffffffff;

function addrMsg(
  address: string,
  over: { index?: number; prefixlen?: number; scope?: number; flags?: rt.AddressFlags; local?: string; pref?: number; valid?: number } = {},
): rt.AddressMessage {
  const v6 = address.includes(':');
  const bytes = (a: string) => Buffer.from((v6 ? parseIPv6(a) : parseIPv4(a)) as Uint8Array);
  return {
    kind: 'address',
    data: { family: v6 ? 10 : 2, prefixlen: over.prefixlen ?? (v6 ? 64 : 24), scope: over.scope ?? 0, index: over.index ?? 3, flags: {} },
    attrs: {
      address: bytes(address),
      ...(over.local ? { local: bytes(over.local) } : {}),
      flags: over.flags ?? { permanent: true },
      cacheInfo: { ifaPrefered: over.pref ?? FOREVER, ifaValid: over.valid ?? FOREVER },
    },
  };
}

const linkMsg = (index: number, ifname: string, up = true, family = 0): rt.LinkMessage => ({
  kind: 'link',
  data: { family, index, flags: up ? { up: true, running: true } : { up: true } },
  attrs: { ifname },
});

function add(table: LinkTable, msg: rt.AddressMessage, now = 0): void {
  table.setAddress(decodeAddress(msg, now) as AddressInfo);
}

const v4 = (t: LinkTable, name = 'wan') =>
  t.snapshot(name, 0).addresses.filter((a) => a.family === 'ipv4').map((a) => a.address);

describe('decoding kernel messages', () => {
  test('an IPv6 address with the temporary bit (shared with IPv4 "secondary") is temporary', () => {
    const a = decodeAddress(addrMsg('2001:db8::1234', { flags: { secondary: true } }), 0);
    assert.equal(a?.temporary, true);
    assert.equal(a?.secondary, false);
    const b = decodeAddress(addrMsg('192.0.2.9', { flags: { secondary: true } }), 0);
    assert.equal(b?.secondary, true);
    assert.equal(b?.temporary, false);
  });

  test('on a point-to-point link the local address is ours, the other one is the peer', () => {
    const a = decodeAddress(addrMsg('198.51.100.1', { local: '203.0.113.77', prefixlen: 32 }), 0);
    assert.equal(a?.address, '203.0.113.77');
  });

  test('lifetimes become deadlines: forever stays forever, seconds count from the message', () => {
    const a = decodeAddress(addrMsg('2001:db8::7', { pref: 300, valid: 600, flags: {} }), 1000);
    assert.equal(a?.preferredUntil, 301_000);
    assert.equal(a?.validUntil, 601_000);
    assert.equal(a?.permanent, false);
    const b = decodeAddress(addrMsg('2001:db8::8'), 1000);
    assert.equal(b?.preferredUntil, Infinity);
  });

  test('bridge-port link messages (AF_BRIDGE) are not about the device itself', () => {
    assert.equal(decodeLink(linkMsg(3, 'wan', true, 7)), null);
    assert.deepEqual(decodeLink(linkMsg(3, 'wan')), { index: 3, name: 'wan', up: true });
    assert.equal(decodeLink(linkMsg(3, 'wan', false))?.up, false, 'up but not running is not up');
  });

  test('addresses of other families are ignored', () => {
    const m = addrMsg('192.0.2.1');
    m.data.family = 17;
    assert.equal(decodeAddress(m, 0), null);
  });
});

describe('the table keeps what the kernel keeps', () => {
  test('IPv4 addresses take the kernel order: primaries before secondaries, a later host-scope one first', () => {
    const t = new LinkTable();
    t.setLink({ index: 3, name: 'wan', up: true });
    add(t, addrMsg('192.0.2.1'));
    add(t, addrMsg('10.9.9.9', { prefixlen: 8, scope: 254 }));
    add(t, addrMsg('198.51.100.1'));
    add(t, addrMsg('192.0.2.7', { flags: { secondary: true, permanent: true } }));
    add(t, addrMsg('203.0.113.1'));
    // as `ip addr` showed on Linux 6.x for the same commands
    assert.deepEqual(v4(t), ['10.9.9.9', '192.0.2.1', '198.51.100.1', '203.0.113.1', '192.0.2.7']);
  });

  test('a promoted secondary moves up among the primaries', () => {
    const t = new LinkTable();
    t.setLink({ index: 3, name: 'wan', up: true });
    add(t, addrMsg('192.0.2.1'));
    add(t, addrMsg('198.51.100.1'));
    add(t, addrMsg('192.0.2.7', { flags: { secondary: true, permanent: true } }));
    t.deleteAddress(3, 'ipv4', '192.0.2.1/24>');
    add(t, addrMsg('192.0.2.7'));
    assert.deepEqual(v4(t), ['198.51.100.1', '192.0.2.7']);
  });

  test('IPv6 addresses: newest first, global before link-local', () => {
    const t = new LinkTable();
    t.setLink({ index: 3, name: 'wan', up: true });
    add(t, addrMsg('fe80::1', { scope: 253 }));
    add(t, addrMsg('2001:db8::5'));
    add(t, addrMsg('2001:db8::6'));
    add(t, addrMsg('2001:db8::5', { pref: 100, valid: 200, flags: {} }));
    const v6 = t.snapshot('wan', 0).addresses.map((a) => a.address);
    assert.deepEqual(v6, ['2001:db8::6', '2001:db8::5', 'fe80::1'], 'an update keeps its place');
  });

  test('a device is found by name: a rename moves it, a deletion takes its addresses', () => {
    const t = new LinkTable();
    assert.deepEqual(t.setLink({ index: 3, name: 'eth1', up: true }), ['eth1']);
    add(t, addrMsg('192.0.2.1'));
    assert.deepEqual(t.setLink({ index: 3, name: 'wan', up: true }).sort(), ['eth1', 'wan']);
    assert.equal(t.snapshot('eth1', 0).present, false);
    assert.deepEqual(v4(t), ['192.0.2.1']);
    assert.deepEqual(t.deleteLink(3), ['wan']);
    assert.deepEqual(t.snapshot('wan', 0), { name: 'wan', present: false, up: false, addresses: [] });
    t.setLink({ index: 4, name: 'wan', up: true });
    assert.deepEqual(v4(t), [], 'a re-created device starts empty');
  });

  test('lifetimes count down, and an address whose preferred lifetime ran out is deprecated', () => {
    const t = new LinkTable();
    t.setLink({ index: 3, name: 'wan', up: true });
    add(t, addrMsg('2001:db8::7', { pref: 10, valid: 20, flags: {} }), 0);
    const at = (ms: number) => t.snapshot('wan', ms).addresses[0];
    assert.equal(at(0)?.preferredLifetime, 10);
    assert.equal(at(4_500)?.preferredLifetime, 6);
    assert.equal(at(4_500)?.deprecated, false);
    assert.equal(at(10_000)?.preferredLifetime, 0);
    assert.equal(at(10_000)?.deprecated, true);
    assert.equal(at(30_000)?.validLifetime, 0);
  });
});

describe('what counts as a change', () => {
  const base = () => {
    const t = new LinkTable();
    t.setLink({ index: 3, name: 'wan', up: true });
    add(t, addrMsg('192.0.2.1'));
    add(t, addrMsg('2001:db8::7', { pref: 300, valid: 600, flags: {} }));
    return t;
  };

  test('lifetimes ticking down or refreshed are not a change', () => {
    const t = base();
    const before = t.viewKey('wan', 0);
    assert.equal(t.viewKey('wan', 100_000), before);
    add(t, addrMsg('2001:db8::7', { pref: 3000, valid: 6000, flags: {} }), 100_000);
    assert.equal(t.viewKey('wan', 100_000), before);
  });

  test('a link-local address coming or going is not a change', () => {
    const t = base();
    const before = t.viewKey('wan', 0);
    add(t, addrMsg('fe80::1', { scope: 253 }));
    assert.equal(t.viewKey('wan', 0), before);
  });

  test('deprecation, a new address, link state and a new ifindex are changes', () => {
    const t = base();
    const before = t.viewKey('wan', 0);
    assert.notEqual(t.viewKey('wan', 300_000), before, 'preferred lifetime reached 0');
    const t2 = base();
    add(t2, addrMsg('2001:db8::8'));
    assert.notEqual(t2.viewKey('wan', 0), before);
    const t3 = base();
    t3.setLink({ index: 3, name: 'wan', up: false });
    assert.notEqual(t3.viewKey('wan', 0), before);
    const t4 = base();
    t4.deleteLink(3);
    t4.setLink({ index: 9, name: 'wan', up: true });
    add(t4, addrMsg('192.0.2.1', { index: 9 }));
    add(t4, addrMsg('2001:db8::7', { index: 9, pref: 300, valid: 600, flags: {} }));
    assert.notEqual(t4.viewKey('wan', 0), before, 're-created (a reconnect) even with the same addresses');
  });

  test('IPv6 order does not matter, IPv4 order does', () => {
    const snap = (addresses: string[]) => deviceWith('wan', ...addresses.map((a) => interfaceAddress(a)));
    assert.equal(viewKey(snap(['2001:db8::1', '2001:db8::2'])), viewKey(snap(['2001:db8::2', '2001:db8::1'])));
    assert.notEqual(viewKey(snap(['192.0.2.1', '192.0.2.2'])), viewKey(snap(['192.0.2.2', '192.0.2.1'])));
  });
});
