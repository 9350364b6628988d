// Reaction latency without the netlink addon (a router whose package carries
// none): the daemon polls hourly here (UPDYN_POLL_INTERVAL=3600) and is woken
// only by netifd's notifications, read from `ubus subscribe network.interface`.
// The `ubus` on its PATH stands in for ubus + netifd: netifd learns of an
// address change from the kernel (rtnetlink) and notifies interface.update
// (netifd ubus.c netifd_ubus_interface_notify), which ubus cli.c print_event
// prints as one line. Here `ip -o monitor address` is the kernel side and the
// script prints that line for every change, so the measured path is: `ip`
// changes the address -> kernel event -> notification line -> the daemon's
// re-read of /proc/net/if_inet6, getifaddrs and /sys -> the update request at
// the test provider. Same stamps as latency.ts (CLOCK_MONOTONIC on both ends).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureReactions, startLab, stats } from './lib';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 12);

const UBUS = `#!/bin/sh
[ "$*" = "subscribe network.interface" ] || exit 2
# one notification per kernel address event, as netifd sends interface.update
ip -o monitor address | while read -r n dev fam addr rest; do
	[ "$n" = Deleted ] && { dev=$fam; addr=\${rest%% *}; }
	printf '{ "interface.update": {"interface":"wan","up":true,"pending":false,"available":true,"l3_device":"%s","ipv4-address":[{"address":"%s","mask":%s}]} }\\n' "$dev" "\${addr%/*}" "\${addr#*/}"
done
`;

async function main() {
  const bin = mkdtempSync(join(tmpdir(), 'updyn-bench-ubus-'));
  writeFileSync(join(bin, 'ubus'), UBUS);
  chmodSync(join(bin, 'ubus'), 0o755);
  const lab = await startLab(CHANGES, {
    env: { UPDYN_NETLINK_ADDON: 'off', UPDYN_POLL_INTERVAL: '3600', PATH: `${bin}:${process.env.PATH}` },
  });
  let reactions;
  try {
    await lab.daemon.waitFor(/following netifd's notifications/, 10_000);
    reactions = await measureReactions(lab, CHANGES);
  } finally {
    await lab.close();
    rmSync(bin, { recursive: true, force: true });
  }
  const f = (x: number) => x.toFixed(1);
  console.log(`reaction latency without the addon (kernel change + netifd notification -> request), ms, ${CHANGES} changes of each kind (target: median under 100 ms)`);
  for (const [kind, v] of [['first', reactions.first], ['change', reactions.change]] as const) {
    const s = stats(v.map((r) => r[0]));
    console.log(`  ${kind.padEnd(7)} median ${f(s.median)}  p90 ${f(s.p90)}  max ${f(s.max)}`);
  }
}

main().catch((e) => {
  console.error(`notify bench failed: ${(e as Error).message}`);
  process.exit(1);
});
