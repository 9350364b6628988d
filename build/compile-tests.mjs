// Compiles every TypeScript file under test/ (and bench/) into .build/, one
// self-contained CommonJS file each, so that suites, the test provider and the
// benchmark helpers can run as plain `node` processes (also inside namespaces).
import { build } from 'esbuild';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const outRoot = join(root, '.build');

async function walk(dir) {
  const out = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** netlink's addon comes from dist/netlink.node (the patched build), as in the bundle. */
const addonShimPlugin = {
  name: 'updyn-test-addon',
  setup(b) {
    b.onResolve({ filter: /^node-gyp-build$/ }, () => ({ path: join(root, 'test/support/addon-shim.ts') }));
  },
};

export async function compileTests(dirs = ['test', 'bench']) {
  const entryPoints = [];
  for (const d of dirs) entryPoints.push(...(await walk(join(root, d))));
  await build({
    entryPoints,
    outdir: outRoot,
    outbase: root,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    sourcemap: 'inline',
    // packages stay external, except netlink (its JS is bundled so that its addon
    // loader can be routed to the shim)
    external: ['pino', 'tiny-typed-emitter', 'fast-check', 'playwright-core', 'esbuild', 'typescript'],
    plugins: [addonShimPlugin],
    define: { UPDYN_VERSION: '"test"' },
    logLevel: 'warning',
  });
  return entryPoints.map((p) => join(outRoot, relative(root, p)).replace(/\.ts$/, '.js'));
}
