// What a router downloads and stores: the bundle, gzipped, and the addon.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { repoRoot } from '../test/support/env';

const bundle = join(repoRoot, 'dist/updyn.js');
const addon = join(repoRoot, 'dist/netlink.node');
const text = readFileSync(bundle);
console.log('bundle size');
console.log(`  dist/updyn.js:      ${(text.length / 1024).toFixed(1)} KiB (${(gzipSync(text, { level: 9 }).length / 1024).toFixed(1)} KiB gzipped)`);
if (existsSync(addon)) console.log(`  dist/netlink.node:  ${(statSync(addon).size / 1024).toFixed(1)} KiB`);
