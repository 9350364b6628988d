// `npm run package`: OpenWrt packages without the SDK, for 24.10 (opkg, .ipk)
// and 25.12 (apk-tools v3, .apk).
//   dist/updyn_<version>-r<release>_<arch>.ipk    the daemon, init script, default config
//   dist/updyn_<version>-r<release>_<arch>.apk    the same for apk
//   dist/luci-app-updyn_<version>-r<release>_all.{ipk,apk}
// An .ipk as OpenWrt's scripts/ipkg-build makes it: a gzip'd tar (not Debian's
// ar) of ./debian-binary ("2.0"), ./data.tar.gz and ./control.tar.gz, every
// file root:root, modes as installed. An .apk as include/package-pack.mk has
// `apk mkpkg` make it: written by build/apk/*.ts (TypeScript, compiled here by
// esbuild on the fly: apk itself is not something npm installs).
//
//   node build/package.mjs [--arch ARCH] [--addon none|prebuild|FILE] [--release N] [--out DIR]
//
// ARCH is an OpenWrt package architecture (`opkg print-architecture` on the
// router names its own): x86_64, aarch64_generic, aarch64_cortex-a53,
// arm_cortex-a7_neon-vfpv4, i386_pentium4... Without it the packages carry no
// native code and are architecture-independent: `Architecture: all` (ipk),
// `arch noarch` (apk), so that every router's opkg and apk take them.
//
// --addon: the netlink prebuilds that npm installs are glibc builds (they need
// libc.so.6), and OpenWrt's libc is musl: on a router such a file fails to
// load, and updyn polls after saying why, once. So by default the package
// carries no addon and spares the flash; `--addon FILE` adds one compiled for
// the target (as the SDK build does), `--addon prebuild` the glibc prebuild
// for ARCH (for a glibc system: a test machine, an image built with glibc).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle } from './build.mjs';
import { gzip, sourceDate, tar, withDirectories } from './ustar.mjs';
import { buildCrossAddon, OPENWRT_TARGETS } from './cross-addon.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** node's arch for an OpenWrt arch, or why updyn cannot run there. */
export function nodeArch(arch) {
  if (arch === 'x86_64') return { ok: true, value: 'x64' };
  if (/^i386_[\w-]+$/.test(arch)) return { ok: true, value: 'ia32' };
  if (/^aarch64_[\w-]+$/.test(arch)) return { ok: true, value: 'arm64' };
  // node needs an FPU, and OpenWrt names an ARM arch after its FPU when it has one
  if (/^arm_[\w-]+$/.test(arch)) {
    return /vfp|neon/.test(arch) ? { ok: true, value: 'arm' } : { ok: false, error: `${arch} has no FPU, which node needs` };
  }
  return { ok: false, error: `node is not built for ${arch} (OpenWrt builds it for x86_64, i386, arm with an FPU and aarch64; MIPS is out)` };
}

// The scripts OpenWrt's package-pack.mk generates for every package (the
// defaults in /lib/functions.sh enable and start each init script on a live
// system, never under $IPKG_INSTROOT, and stop and disable it on removal).
export const POSTINST = `#!/bin/sh
[ "\${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s "\${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
. "\${IPKG_INSTROOT}/lib/functions.sh"
default_postinst "$0" "$@"
`;
export const PRERM = `#!/bin/sh
[ -s "\${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
. "\${IPKG_INSTROOT}/lib/functions.sh"
default_prerm "$0" "$@"
`;
// updyn's own postinst-pkg, which default_postinst runs (ipk) or package-pack.mk
// appends to post-install (apk). An upgrade replaces /usr/bin/updyn under a
// running daemon, and default_postinst then only calls `start`: procd leaves an
// instance whose definition did not change as it is (procd service/instance.c
// instance_update), so the old code would keep running. apk runs only the new
// package's post-upgrade; opkg also runs the old prerm first (which stops it,
// so there this finds nothing running). Restart it, on a live system and only
// when it runs (a stopped or disabled updyn stays so).
export const UPDYN_POSTINST_PKG = `#!/bin/sh
[ -z "\${IPKG_INSTROOT}" ] && [ "\${PKG_UPGRADE}" = "1" ] && /etc/init.d/updyn running && /etc/init.d/updyn restart
exit 0
`;
// luci.mk's package postinst, which default_postinst runs: new views, menu and
// ACL take effect without a reboot (rpcd re-reads ACLs and plugins on SIGHUP)
export const LUCI_POSTINST_PKG = `#!/bin/sh
[ -n "\${IPKG_INSTROOT}" ] || {
	rm -f /tmp/luci-indexcache /tmp/luci-indexcache.*
	rm -rf /tmp/luci-modulecache/
	killall -HUP rpcd 2>/dev/null
	exit 0
}
`;

/**
 * A glibc build of the addon for node arch `cpu`: for this machine's own arch,
 * the one `npm run build` compiled with updyn's fix (build/addon.mjs); for
 * another, npm's prebuild, which lacks the fix.
 */
function glibcAddon(cpu) {
  const own = join(root, 'dist/netlink.node');
  if (cpu === process.arch && existsSync(own)) return own;
  return join(root, 'node_modules/netlink/prebuilds', `linux-${cpu}`, 'node.napi.node');
}

export async function buildPackages({ arch = 'all', addon = 'none', release, out = join(root, 'dist'), mtime }) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = `${pkg.version}-r${release ?? pkg.release ?? 1}`;
  if (arch !== 'all') {
    const na = nodeArch(arch);
    if (!na.ok) throw new Error(na.error);
  }
  const common = {
    version,
    mtime,
    license: pkg.license ?? 'MIT',
    maintainer: typeof pkg.author === 'string' ? pkg.author : (pkg.author?.name ?? 'updyn developers'),
  };

  const files = [
    { name: './usr/bin/updyn', mode: 0o755, data: readFileSync(join(root, 'dist/updyn.js')) },
    { name: './etc/init.d/updyn', mode: 0o755, data: readFileSync(join(root, 'init.d/updyn')) },
    { name: './etc/config/updyn', mode: 0o600, data: readFileSync(join(root, 'openwrt/files/updyn.config')) },
  ];
  if (addon !== 'none') {
    if (arch === 'all') throw new Error('--addon needs --arch: an addon is native code for one architecture');
    const addonFile = addon === 'prebuild' ? glibcAddon(nodeArch(arch).value) : addon;
    if (!existsSync(addonFile)) throw new Error(`no netlink addon at ${addonFile}`);
    files.push({ name: './usr/lib/updyn/netlink.node', mode: 0o755, data: readFileSync(addonFile) });
  }
  const updynSpec = {
    ...common,
    name: 'updyn',
    arch,
    depends: ['libc', 'node'],
    section: 'net',
    description: `${pkg.description}.\nKeeps A and AAAA records at the router's current addresses: told of a change at once\nby netlink (or netifd), asks checkip behind NAT, never re-sends what the provider has.`,
    files,
    conffiles: ['/etc/config/updyn'],
    postinstPkg: UPDYN_POSTINST_PKG,
  };
  const luciSpec = {
    ...common,
    name: 'luci-app-updyn',
    arch: 'all',
    depends: ['luci-base', 'updyn'],
    section: 'luci',
    description: 'LuCI support for updyn: status page and settings.',
    files: luciFiles(join(root, 'openwrt/luci-app-updyn')),
    conffiles: [],
    postinstPkg: LUCI_POSTINST_PKG,
  };

  const { apkPackage } = await loadApkWriter();
  mkdirSync(out, { recursive: true });
  const written = [];
  for (const spec of [updynSpec, luciSpec]) {
    for (const p of [ipk(spec), apkPackage(spec)]) {
      const file = join(out, p.file);
      writeFileSync(file, p.bytes);
      written.push(file);
    }
  }
  return written;
}

/** htdocs/ under /www, root/ under /, as luci.mk installs them; executables stay executable. */
function luciFiles(dir) {
  const out = [];
  const walk = (from, to) => {
    for (const entry of readdirSync(from, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(from, entry.name);
      if (entry.isDirectory()) walk(path, `${to}/${entry.name}`);
      else if (entry.isFile()) {
        const executable = (statSync(path).mode & 0o111) !== 0;
        out.push({ name: `.${to}/${entry.name}`, mode: executable ? 0o755 : 0o644, data: readFileSync(path) });
      }
    }
  };
  walk(join(dir, 'htdocs'), '/www');
  walk(join(dir, 'root'), '');
  return out;
}

/** The .ipk of a package spec: ipkg-build's layout, package-pack.mk's control scripts. */
function ipk({ name, version, arch, depends, section, license, maintainer, description, files, conffiles, postinstPkg, mtime }) {
  const control = [
    ...(conffiles.length > 0 ? [{ name: './conffiles', mode: 0o644, data: conffiles.map((f) => `${f}\n`).join('') }] : []),
    { name: './postinst', mode: 0o755, data: POSTINST },
    ...(postinstPkg ? [{ name: './postinst-pkg', mode: 0o755, data: postinstPkg }] : []),
    { name: './prerm', mode: 0o755, data: PRERM },
  ];
  const data = tar(withDirectories(files), mtime);
  const text = [
    `Package: ${name}`,
    `Version: ${version}`,
    `Depends: ${depends.join(', ')}`,
    `SourceName: ${name}`,
    `License: ${license}`,
    `Section: ${section}`,
    `SourceDateEpoch: ${mtime}`,
    `Maintainer: ${maintainer}`,
    `Architecture: ${arch}`,
    // what ipkg-build counts: the size of the uncompressed data tar
    `Installed-Size: ${data.length}`,
    `Description: ${description.split('\n').join('\n ')}`,
  ].join('\n');
  const controlTar = tar([{ name: './', mode: 0o755 }, { name: './control', mode: 0o644, data: `${text}\n` }, ...control], mtime);
  // in ipkg-build's order
  const outer = tar(
    [
      { name: './debian-binary', mode: 0o644, data: '2.0\n' },
      { name: './data.tar.gz', mode: 0o644, data: gzip(data) },
      { name: './control.tar.gz', mode: 0o644, data: gzip(controlTar) },
    ],
    mtime,
    { sort: false },
  );
  return { file: `${name}_${version}_${arch}.ipk`, bytes: gzip(outer) };
}

/**
 * The .apk writer (build/apk/*.ts), compiled by esbuild into memory and
 * imported from there: the build scripts stay plain .mjs that node runs as
 * they are, and the format code is typed and type-checked with the rest.
 */
async function loadApkWriter() {
  const { build } = await import('esbuild');
  const r = await build({
    entryPoints: [join(root, 'build/apk/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    logLevel: 'error',
  });
  const code = r.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** The (arch, addon) pairs to pack: given --arch and no --addon, each arch with its cross-built musl addon. */
async function crossAddons(archOption, addonOption, arch) {
  if (archOption === undefined || addonOption !== undefined) return [{ arch, addon: addonOption ?? 'none' }];
  const archs = archOption === 'all' ? Object.keys(OPENWRT_TARGETS) : [archOption];
  const out = [];
  for (const a of archs) {
    const na = nodeArch(a);
    if (!na.ok) throw new Error(na.error);
    const r = await buildCrossAddon(a);
    if (r.error) throw new Error(r.error);
    out.push({ arch: a, addon: r.path });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      arch: { type: 'string' },
      addon: { type: 'string' },
      release: { type: 'string' },
      out: { type: 'string' },
      'no-build': { type: 'boolean' },
    },
  });
  // no --arch: no native code, one architecture-independent package for every router
  const arch = values.arch ?? 'all';
  try {
    if (values.release !== undefined && !/^[1-9]\d*$/.test(values.release)) throw new Error('--release takes a whole number from 1');
    if (!values['no-build']) await bundle();
    // --arch A without --addon: the musl addon for A, cross-built (build/cross-addon.mjs); --arch all: every arch
    for (const { arch: a, addon } of await crossAddons(values.arch, values.addon, arch)) {
      const written = await buildPackages({ arch: a, addon, release: values.release, out: values.out, mtime: sourceDate(root) });
      for (const f of written) console.log(`package: ${relative(process.cwd(), f)}`);
    }
  } catch (e) {
    console.error(`package: ${e.message}`);
    process.exit(1);
  }
}
