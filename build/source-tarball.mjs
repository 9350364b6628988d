// `npm run source-tarball`: the release tarball the OpenWrt feed Makefile
// builds from (PKG_SOURCE), and that Makefile with PKG_HASH filled in:
//   dist/updyn-<V>.tar.gz       updyn-<V>/ with the bundle, init script, config,
//                               LICENSE and the addon's source (netlink's
//                               binding.cc with build/addon.mjs's fix, and
//                               node-addon-api's headers, with their licenses)
//   dist/feed/updyn/Makefile    openwrt/Makefile, PKG_HASH set to the tarball's sha256
// The SDK then needs neither npm nor node-gyp: $(TARGET_CXX) compiles
// addon/binding.cc against node's headers (node/host's include/node).
// Deterministic: the same tree gives the same bytes (so the same hash).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { patchNetlinkSource } from './addon.mjs';
import { bundle } from './build.mjs';
import { gzip, sourceDate, tar, withDirectories } from './ustar.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The tarball's files: [name inside updyn-<V>/, path here, mode]. */
function members(patchedBinding) {
  const nm = (p) => join(root, 'node_modules', p);
  return [
    ['LICENSE', join(root, 'LICENSE'), 0o644],
    ['README.md', join(root, 'README.md'), 0o644],
    ['dist/updyn.js', join(root, 'dist/updyn.js'), 0o755],
    ['init.d/updyn', join(root, 'init.d/updyn'), 0o755],
    ['openwrt/files/updyn.config', join(root, 'openwrt/files/updyn.config'), 0o600],
    ['addon/binding.cc', patchedBinding, 0o644],
    ['addon/LICENSE.netlink', nm('netlink/LICENSE'), 0o644],
    ['addon/node-addon-api/napi.h', nm('node-addon-api/napi.h'), 0o644],
    ['addon/node-addon-api/napi-inl.h', nm('node-addon-api/napi-inl.h'), 0o644],
    ['addon/node-addon-api/napi-inl.deprecated.h', nm('node-addon-api/napi-inl.deprecated.h'), 0o644],
    ['addon/node-addon-api/LICENSE.md', nm('node-addon-api/LICENSE.md'), 0o644],
  ];
}

export function sourceTarball({ out = join(root, 'dist'), mtime }) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const base = `updyn-${pkg.version}`;
  const work = mkdtempSync(join(tmpdir(), 'updyn-src-'));
  try {
    mkdirSync(join(work, 'src'));
    cpSync(join(root, 'node_modules/netlink/src/binding.cc'), join(work, 'src/binding.cc'));
    const patched = patchNetlinkSource(work);
    if (patched.error) throw new Error(patched.error);
    const files = members(join(work, 'src/binding.cc')).map(([name, path, mode]) => ({ name: `./${base}/${name}`, mode, data: readFileSync(path) }));
    const bytes = gzip(tar(withDirectories(files).filter((e) => e.name !== './'), mtime));
    const hash = createHash('sha256').update(bytes).digest('hex');
    mkdirSync(join(out, 'feed/updyn'), { recursive: true });
    const tarball = join(out, `${base}.tar.gz`);
    writeFileSync(tarball, bytes);
    const makefile = readFileSync(join(root, 'openwrt/Makefile'), 'utf8').replace(/^PKG_HASH:=.*$/m, `PKG_HASH:=${hash}`);
    const feedMakefile = join(out, 'feed/updyn/Makefile');
    writeFileSync(feedMakefile, makefile);
    return { tarball, hash, makefile: feedMakefile };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean' } } });
  try {
    if (!values['no-build']) await bundle();
    const r = sourceTarball({ out: values.out, mtime: sourceDate(root) });
    console.log(`source-tarball: ${relative(process.cwd(), r.tarball)} sha256 ${r.hash}`);
    console.log(`source-tarball: ${relative(process.cwd(), r.makefile)} (PKG_HASH set)`);
  } catch (e) {
    console.error(`source-tarball: ${e.message}`);
    process.exit(1);
  }
}
