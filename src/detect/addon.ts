// Stands in for `node-gyp-build` inside the bundle (see build/build.mjs): netlink
// asks it for its native addon, and we look where updyn installs one instead of
// where npm would. Throwing here is how netlink learns the addon is missing; the
// detect layer then falls back to polling.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the addon may be, most specific first. */
function addonCandidates(bundleDir: string): string[] {
  const fromEnv = process.env.UPDYN_NETLINK_ADDON;
  if (fromEnv) return fromEnv === 'off' ? [] : [fromEnv];
  return [
    join(bundleDir, 'netlink.node'),
    // an unpacked package root: <root>/usr/bin/updyn -> <root>/usr/lib/updyn/netlink.node
    join(bundleDir, '..', 'lib', 'updyn', 'netlink.node'),
    '/usr/lib/updyn/netlink.node',
  ];
}

function loadAddon(): unknown {
  const bundleDir = dirname(require.main?.filename ?? process.argv[1] ?? '.');
  const candidates = addonCandidates(bundleDir);
  if (candidates.length === 0) throw new Error('netlink addon disabled (UPDYN_NETLINK_ADDON=off)');
  const tried: string[] = [];
  for (const file of candidates) {
    if (!existsSync(file)) {
      tried.push(`${file}: not found`);
      continue;
    }
    try {
      return require(file);
    } catch (e) {
      tried.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`no loadable netlink addon (${tried.join('; ')})`);
}

// CommonJS on purpose (`export =`, not `export`): netlink calls
// `require('node-gyp-build')(dir)`, so this module itself must be the function.
// With an ES `export` beside it, esbuild would wrap the file as an ES module
// and netlink would get a namespace object it cannot call.
function nodeGypBuild(_dir: string): unknown {
  return loadAddon();
}
nodeGypBuild.addonCandidates = addonCandidates;
export = nodeGypBuild;
