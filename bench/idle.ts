// Idle cost: the daemon on a public, already registered address for
// BENCH_IDLE_SECONDS (default 60): requests sent, CPU time, RSS and PSS after
// settling (BENCH_SETTLE_SECONDS, default 30: V8 finishes start-up GC and
// compilation work for ~20 s), next to a bare `node` process on the same machine.
import { bareNode, ip, readProc, sleep, startLab } from './lib';

const SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);

async function main() {
  const lab = await startLab(1, { setup: (ns) => ip(ns, 'addr', 'add', '203.0.113.5/24', 'dev', 'v1') });
  const bare = bareNode();
  try {
    await lab.provider.waitForRequests(1, 10_000, (x) => x.endpoint === "update").catch((e) => { console.error(lab.daemon.lines.join("\n")); throw e; });
    await sleep(Number(process.env.BENCH_SETTLE_SECONDS ?? 30) * 1000); // settle: first update done, startup garbage collected
    const pid = lab.daemon.child.pid!;
    if (lab.daemon.child.exitCode !== null) throw new Error(`daemon exited: ${lab.daemon.lines.join("\n")}`);
    const before = readProc(pid);
    const requestsBefore = (await lab.provider.requests()).length;
    const bareBefore = readProc(bare.pid);
    await sleep(SECONDS * 1000);
    const after = readProc(pid);
    const bareAfter = readProc(bare.pid);
    const requests = (await lab.provider.requests()).length - requestsBefore;
    const mb = (kb: number | null) => (kb === null ? 'n/a' : `${(kb / 1024).toFixed(1)} MB`);
    console.log(`idle cost over ${SECONDS} s on a registered public address`);
    console.log(`  requests sent:      ${requests}   (target 0)`);
    console.log(`  CPU time:           ${(after.cpuMs - before.cpuMs).toFixed(0)} ms   (target < 10 ms; bare node ${(bareAfter.cpuMs - bareBefore.cpuMs).toFixed(0)} ms)`);
    console.log(`  RSS:                ${mb(after.rssKb)}   (bare node ${mb(bareAfter.rssKb)}, difference ${mb(after.rssKb - bareAfter.rssKb)}; target within 8 MB)`);
    console.log(`  PSS:                ${mb(after.pssKb)}   (bare node ${mb(bareAfter.pssKb)}, difference ${mb(after.pssKb !== null && bareAfter.pssKb !== null ? after.pssKb - bareAfter.pssKb : null)})`);
  } finally {
    bare.kill();
    await lab.close();
  }
}

main().catch((e) => {
  console.error(`idle bench failed: ${(e as Error).message}`);
  process.exit(1);
});
