// What a router downloads and stores: the bundle, gzipped, and the addon.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { repoRoot } from '../test/support/env';

const bundle = join(repoRoot, 'dist/updyn.js');
const addon = join(repoRoot, 'dist/netlink.node');
const text = readFileSync(bundle);
console.log('bundle size');
console.log(`  dist/updyn.js:      ${(text.length / 1024).toFixed(1)} KiB (${(gzipSync(text, { level: 9 }).length / 1024).toFixed(1)} KiB gzipped)`);
if (existsSync(addon)) console.log(`  dist/netlink.node:  ${(statSync(addon).size / 1024).toFixed(1)} KiB`);

// Each architecture's cross-built musl addon (build/cross-addon.mjs), as the
// `--arch A` packages carry it: the newest build of each in .build/cross.
// `npm run package -- --arch all` builds them all.
const cross = join(repoRoot, '.build/cross');
const latest = new Map<string, { size: number; mtime: number }>();
if (existsSync(cross)) {
  for (const d of readdirSync(cross)) {
    const m = /^(.+)-[0-9a-f]{16}$/.exec(d);
    const file = join(cross, d, 'netlink.node');
    if (!m || !existsSync(file)) continue;
    const s = statSync(file);
    const prev = latest.get(m[1] as string);
    if (!prev || s.mtimeMs > prev.mtime) latest.set(m[1] as string, { size: s.size, mtime: s.mtimeMs });
  }
}
console.log('cross-built netlink addon (stripped; musl unless -gnu)');
if (latest.size === 0) console.log('  none built yet: npm run package -- --arch all');
for (const [arch, { size }] of [...latest].sort(([a], [b]) => (a < b ? -1 : 1))) {
  console.log(`  ${arch.padEnd(28)} ${(size / 1024).toFixed(1)} KiB`);
}
