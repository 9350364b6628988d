// Reaction latency: from `ip` changing an address in a namespace to the update
// request arriving at the test provider, over N devices (one service each, so
// that no change waits for the rate limit). Two kinds of change:
//   first    an address appears where none was registered
//   change   a registered address is replaced (ip -batch: del old, add new);
//            this path also saves the state before sending (write-ahead)
// Both ends stamp CLOCK_MONOTONIC, which is system-wide.
import { spawnSync } from 'node:child_process';
import { nowMs, startLab, stats } from './lib';
import type { Lab } from './lib';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 24);

async function measure(lab: Lab, address: string, ipArgs: string[], input?: string): Promise<[number, number]> {
  const t0 = nowMs();
  const r = spawnSync('ip', ['-n', lab.ns, ...ipArgs], { input });
  const t1 = nowMs();
  if (r.status !== 0) throw new Error(`ip ${ipArgs.join(' ')} failed: ${r.stderr}`);
  const [req] = await lab.provider.waitForRequests(1, 10_000, (x) => x.endpoint === 'update' && x.ip === address);
  await new Promise((res) => setTimeout(res, 50));
  return [req!.clockMs - t0, req!.clockMs - t1];
}

function report(kind: string, pairs: [number, number][]) {
  const a = stats(pairs.map((p) => p[0]));
  const b = stats(pairs.map((p) => p[1]));
  const f = (x: number) => x.toFixed(1);
  console.log(`  ${kind.padEnd(7)} from ip start: median ${f(a.median)}  p90 ${f(a.p90)}  max ${f(a.max)} | from ip exit: median ${f(b.median)}  p90 ${f(b.p90)}  max ${f(b.max)}`);
}

async function main() {
  const lab = await startLab(CHANGES);
  const first: [number, number][] = [];
  const change: [number, number][] = [];
  try {
    for (let i = 1; i <= CHANGES; i++) {
      first.push(await measure(lab, `203.0.113.${i + 10}`, ['addr', 'add', `203.0.113.${i + 10}/24`, 'dev', `v${i}`]));
    }
    for (let i = 1; i <= CHANGES; i++) {
      const batch = `addr del 203.0.113.${i + 10}/24 dev v${i}\naddr add 198.51.100.${i + 10}/24 dev v${i}\n`;
      change.push(await measure(lab, `198.51.100.${i + 10}`, ['-batch', '-'], batch));
    }
  } finally {
    await lab.close();
  }
  console.log(`reaction latency, ms, ${CHANGES} changes of each kind (target: median under 50 ms)`);
  report('first', first);
  report('change', change);
}

main().catch((e) => {
  console.error(`latency bench failed: ${(e as Error).message}`);
  process.exit(1);
});
