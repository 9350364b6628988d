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
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowMs, startLab, stats } from './lib';
import type { Lab } from './lib';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 12);

const UBUS = `#!/bin/sh
[ "$*" = "subscribe network.interface" ] || exit 2
# one notification per kernel address event, as netifd sends interface.update
ip -o monitor address | while read -r n dev fam addr rest; do
	[ "$n" = Deleted ] && { dev=$fam; addr=\${rest%% *}; }
	printf '{ "interface.update": {"interface":"wan","up":true,"pending":false,"available":true,"l3_device":"%s","ipv4-address":[{"address":"%s","mask":%s}]} }\\n' "$dev" "\${addr%/*}" "\${addr#*/}"
done
`;

async function measure(lab: Lab, address: string, ipArgs: string[], input?: string): Promise<number> {
  const t0 = nowMs();
  const r = spawnSync('ip', ['-n', lab.ns, ...ipArgs], { input });
  if (r.status !== 0) throw new Error(`ip ${ipArgs.join(' ')} failed: ${r.stderr}`);
  const [req] = await lab.provider.waitForRequests(1, 10_000, (x) => x.endpoint === 'update' && x.ip === address);
  await new Promise((res) => setTimeout(res, 50));
  return req!.clockMs - t0;
}

async function main() {
  const bin = mkdtempSync(join(tmpdir(), 'updyn-bench-ubus-'));
  writeFileSync(join(bin, 'ubus'), UBUS);
  chmodSync(join(bin, 'ubus'), 0o755);
  const lab = await startLab(CHANGES, {
    env: { UPDYN_NETLINK_ADDON: 'off', UPDYN_POLL_INTERVAL: '3600', PATH: `${bin}:${process.env.PATH}` },
  });
  const first: number[] = [];
  const change: number[] = [];
  try {
    await lab.daemon.waitFor(/following netifd's notifications/, 10_000);
    for (let i = 1; i <= CHANGES; i++) {
      first.push(await measure(lab, `203.0.113.${i + 10}`, ['addr', 'add', `203.0.113.${i + 10}/24`, 'dev', `v${i}`]));
    }
    for (let i = 1; i <= CHANGES; i++) {
      const batch = `addr del 203.0.113.${i + 10}/24 dev v${i}\naddr add 198.51.100.${i + 10}/24 dev v${i}\n`;
      change.push(await measure(lab, `198.51.100.${i + 10}`, ['-batch', '-'], batch));
    }
  } finally {
    await lab.close();
    rmSync(bin, { recursive: true, force: true });
  }
  const f = (x: number) => x.toFixed(1);
  console.log(`reaction latency without the addon (kernel change + netifd notification -> request), ms, ${CHANGES} changes of each kind (target: median under 100 ms)`);
  for (const [kind, v] of [['first', first], ['change', change]] as const) {
    const s = stats(v);
    console.log(`  ${kind.padEnd(7)} median ${f(s.median)}  p90 ${f(s.p90)}  max ${f(s.max)}`);
  }
}

main().catch((e) => {
  console.error(`notify bench failed: ${(e as Error).message}`);
  process.exit(1);
});
