// Bundles the daemon into one executable file, dist/updyn.js, and places the
// netlink native addon for this machine beside it (the bundle cannot hold it).
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { buildPatchedAddon } from './addon.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** netlink loads its addon with node-gyp-build relative to its own files;
 * inside the bundle those files are gone, so we route that call to our loader. */
const addonLoaderPlugin = {
  name: 'updyn-addon-loader',
  setup(b) {
    b.onResolve({ filter: /^node-gyp-build$/ }, () => ({ path: join(root, 'src/detect/addon.ts') }));
  },
};

export async function bundle({ outfile = join(root, 'dist/updyn.js'), minify = true } = {}) {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const result = await build({
    entryPoints: [join(root, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify,
    sourcemap: true,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    define: { UPDYN_VERSION: JSON.stringify(pkg.version) },
    plugins: [addonLoaderPlugin],
    metafile: true,
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  await copyHostAddon(dirname(outfile));
  return result;
}

/**
 * The addon for this machine as `netlink.node` next to the bundle: built from
 * netlink's source with our fix (build/addon.mjs) when a compiler is there,
 * else the package's prebuild. Rebuilt only when missing or older than
 * node_modules (i.e. after npm ci).
 */
async function copyHostAddon(outdir) {
  // a cross build (openwrt/Makefile) compiles the target's addon itself
  if (process.env.UPDYN_SKIP_ADDON === '1') return;
  const target = join(outdir, 'netlink.node');
  const stamp = join(root, 'node_modules/netlink/package.json');
  if (existsSync(target) && statSync(target).mtimeMs > statSync(stamp).mtimeMs && existsSync(join(root, '.build/addon/build/Release/netlink_binding.node'))) return;
  if (process.env.UPDYN_ADDON_PREBUILD !== '1') {
    const built = buildPatchedAddon(root);
    if (built.path) {
      await mkdir(outdir, { recursive: true });
      await copyFile(built.path, target);
      return;
    }
    console.warn(`build: cannot build the patched netlink addon (${built.error}); using the prebuild`);
  }
  const archDir = { x64: 'linux-x64', arm64: 'linux-arm64', arm: 'linux-arm', ia32: 'linux-ia32' }[process.arch];
  const from = archDir && join(root, 'node_modules/netlink/prebuilds', archDir, 'node.napi.node');
  if (!from || !existsSync(from)) {
    console.warn(`build: no netlink prebuild for ${process.arch}; the bundle will poll instead`);
    return;
  }
  await mkdir(outdir, { recursive: true });
  await copyFile(from, join(outdir, 'netlink.node'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await bundle();
  const [out, meta] = Object.entries(r.metafile.outputs).find(([k]) => k.endsWith('.js'));
  console.log(`build: ${out} ${meta.bytes} bytes`);
}
