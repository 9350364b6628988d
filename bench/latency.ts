// Reaction latency: from `ip addr add` in a namespace to the update request
// arriving at the test provider, over N changes on N devices (one service
// each, so that every change has a token and none waits for the rate limit).
// Both ends stamp CLOCK_MONOTONIC, which is system-wide.
import { spawnSync } from 'node:child_process';
import { ip, nowMs, startLab, stats } from './lib';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 24);

async function main() {
  const lab = await startLab(CHANGES);
  const fromStart: number[] = [];
  const fromExit: number[] = [];
  try {
    for (let i = 1; i <= CHANGES; i++) {
      const address = `203.0.113.${i + 10}`;
      const t0 = nowMs();
      const r = spawnSync('ip', ['-n', lab.ns, 'addr', 'add', `${address}/24`, 'dev', `v${i}`]);
      const t1 = nowMs();
      if (r.status !== 0) throw new Error(`ip addr add failed: ${r.stderr}`);
      const [req] = await lab.provider.waitForRequests(1, 10_000, (x) => x.endpoint === 'update' && x.ip === address);
      fromStart.push(req!.clockMs - t0);
      fromExit.push(req!.clockMs - t1);
      await new Promise((res) => setTimeout(res, 50));
    }
  } finally {
    await lab.close();
  }
  const a = stats(fromStart);
  const b = stats(fromExit);
  const f = (x: number) => x.toFixed(1);
  console.log(`reaction latency over ${CHANGES} address changes (ms)`);
  console.log(`  from 'ip addr add' start: median ${f(a.median)}  p90 ${f(a.p90)}  max ${f(a.max)}  min ${f(a.min)}`);
  console.log(`  from 'ip addr add' exit:  median ${f(b.median)}  p90 ${f(b.p90)}  max ${f(b.max)}  min ${f(b.min)}`);
  console.log(`  target: median under 50 ms`);
}

void ip;
main().catch((e) => {
  console.error(`latency bench failed: ${(e as Error).message}`);
  process.exit(1);
});
