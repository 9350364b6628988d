// Reaction latency: from `ip` changing an address in a namespace to the update
// request arriving at the test provider, over N devices (one service each, so
// that no change waits for the rate limit). Two kinds of change:
//   first    an address appears where none was registered
//   change   a registered address is replaced (ip -batch: del old, add new);
//            this path also saves the state before sending (write-ahead)
// Both ends stamp CLOCK_MONOTONIC, which is system-wide.
import { measureReactions, startLab, stats } from './lib';
import type { Reaction } from './lib';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 24);

function report(kind: string, pairs: Reaction[]) {
  const a = stats(pairs.map((p) => p[0]));
  const b = stats(pairs.map((p) => p[1]));
  const f = (x: number) => x.toFixed(1);
  console.log(`  ${kind.padEnd(7)} from ip start: median ${f(a.median)}  p90 ${f(a.p90)}  max ${f(a.max)} | from ip exit: median ${f(b.median)}  p90 ${f(b.p90)}  max ${f(b.max)}`);
}

async function main() {
  const lab = await startLab(CHANGES);
  let reactions;
  try {
    reactions = await measureReactions(lab, CHANGES);
  } finally {
    await lab.close();
  }
  console.log(`reaction latency, ms, ${CHANGES} changes of each kind (target: median under 50 ms)`);
  report('first', reactions.first);
  report('change', reactions.change);
}

main().catch((e) => {
  console.error(`latency bench failed: ${(e as Error).message}`);
  process.exit(1);
});
