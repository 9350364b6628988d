// Compiled suites load netlink's addon through this instead of node-gyp-build
// (build/compile-tests.mjs routes the import), so that in-process tests and
// probes use the same patched addon as the shipped bundle: dist/netlink.node,
// which `npm test` builds before compiling the suites.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './env';

function nodeGypBuild(_dir: string): unknown {
  // a path there runs a suite against another build (the cross-built one: test/support/cross.ts)
  const fromEnv = process.env.UPDYN_NETLINK_ADDON;
  const addon = fromEnv && fromEnv !== 'off' ? fromEnv : join(repoRoot, 'dist', 'netlink.node');
  if (!existsSync(addon)) throw new Error(`no netlink addon at ${addon}: run npm run build`);
  return require(addon);
}
export = nodeGypBuild;
