// `updyn once` reads the devices one time: a netlink dump, else what polling sees.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeviceSnapshot } from '../../src/types';
import { createNetns } from '../support/netns';
import { addressesOf, Probe } from './probe';

for (const kind of ['netlink', 'poll'] as const) {
  describe(`readDevices (${kind})`, () => {
    test('reads each device once, and a missing one as absent', async (t) => {
      const ns = await createNetns(t);
      if (!ns) return;
      await ns.addVeth();
      await ns.addVeth('v1', 'v1p');
      await ns.ip('addr', 'add', '192.0.2.1/24', 'dev', 'v0');
      await ns.ip('addr', 'add', '10.20.30.40/8', 'dev', 'v0');
      await ns.ip('-6', 'addr', 'add', '2001:db8::5/64', 'dev', 'v0', 'nodad');
      await ns.ip('addr', 'add', '198.51.100.1/24', 'dev', 'v1');
      await ns.ip('link', 'set', 'v1', 'down');
      const r = await Probe.once(ns, kind, ['v0', 'v1', 'nope0']);
      assert.equal(r.kind, kind);
      const snaps = r.snapshots as Record<string, DeviceSnapshot>;
      const v0 = snaps.v0 as DeviceSnapshot;
      assert.equal(v0.present, true);
      assert.equal(v0.up, true);
      assert.deepEqual(addressesOf(v0, 'ipv4'), ['192.0.2.1', '10.20.30.40']);
      assert.ok(addressesOf(v0, 'ipv6').includes('2001:db8::5'));
      assert.equal(snaps.v1?.present, true);
      assert.equal(snaps.v1?.up, false);
      // getifaddrs (the poll source) skips devices that are down; netlink does not
      if (kind === 'netlink') assert.deepEqual(addressesOf(snaps.v1, 'ipv4'), ['198.51.100.1']);
      assert.deepEqual(snaps.nope0, { name: 'nope0', present: false, up: false, addresses: [] });
    });
  });
}
