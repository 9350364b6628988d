// Listens on rtnetlink through netlink's socket layer (the addon that
// UPDYN_NETLINK_ADDON names, via test/support/addon-shim.ts) and prints one
// JSON line per address message, after a first line naming this node's CPU:
//   {"event":"ready","arch":"arm64","addon":"..."}
//   {"event":"RTM_NEWADDR","family":"ipv4","address":"192.0.2.7","index":2}
// Used to run the foreign-architecture addon under qemu-user.
import { createNetlink } from 'netlink/dist/netlink';
import { decodeAddress, RTM_DELADDR, RTM_NEWADDR } from '../../src/detect/nlmsg';
import { parseAddressMessage } from '../../src/detect/rtparse';

const NETLINK_ROUTE = 0;
// RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR (linux/rtnetlink.h)
const GROUPS = [5, 9];

const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const sock = createNetlink(NETLINK_ROUTE, { ref: true, recvBufferSize: 0, sendBufferSize: 0 }); // 0: the kernel's default
sock.on('message', (msgs) => {
  for (const m of msgs) {
    if (m.type !== RTM_NEWADDR && m.type !== RTM_DELADDR) continue;
    const a = decodeAddress(parseAddressMessage(m.data), Date.now());
    out({ event: m.type === RTM_NEWADDR ? 'RTM_NEWADDR' : 'RTM_DELADDR', family: a?.family, address: a?.address, index: a?.index });
  }
});
sock.on('error', (e) => out({ event: 'error', message: String(e) }));
for (const g of GROUPS) sock.addMembership(g);
out({ event: 'ready', arch: process.arch, addon: process.env.UPDYN_NETLINK_ADDON ?? '' });
// the test is gone: do not outlive it
process.stdin.on('end', () => process.exit(0)).resume();
