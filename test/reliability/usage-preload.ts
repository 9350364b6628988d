// Loaded with `node --require` ahead of the bundle under test (through
// NODE_OPTIONS), so that a test learns what one run of updyn cost without
// touching src/: on exit it writes peak RSS and CPU time to UPDYN_USAGE_FILE.
import { writeFileSync } from 'node:fs';

const out = process.env.UPDYN_USAGE_FILE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) }));
  });
}
