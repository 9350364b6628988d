// `npm run package`: OpenWrt packages without the SDK.
//   dist/updyn_<version>-r<release>_<arch>.ipk    the daemon, init script, default config
//   dist/luci-app-updyn_<version>-r<release>_all.ipk
// An .ipk as OpenWrt's scripts/ipkg-build makes it: a gzip'd tar (not Debian's
// ar) of ./debian-binary ("2.0"), ./data.tar.gz and ./control.tar.gz, every
// file root:root, modes as installed. For OpenWrt 25.12 and later (apk-tools v3
// .apk packages) build with the SDK and openwrt/Makefile instead.
//
//   node build/package.mjs [--arch ARCH] [--addon none|prebuild|FILE] [--release N] [--out DIR]
//
// ARCH is an OpenWrt package architecture (`opkg print-architecture` on the
// router names its own): x86_64, aarch64_generic, aarch64_cortex-a53,
// arm_cortex-a7_neon-vfpv4, i386_pentium4... Default: this machine's kind.
//
// --addon: the netlink prebuilds that npm installs are glibc builds (they need
// libc.so.6), and OpenWrt's libc is musl: on a router such a file fails to
// load, and updyn polls after saying why, once. So by default the package
// carries no addon and spares the flash; `--addon FILE` adds one compiled for
// the target (as the SDK build does), `--addon prebuild` the glibc prebuild
// for ARCH (for a glibc system: a test machine, an image built with glibc).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle } from './build.mjs';
import { gzip, tar, withDirectories } from './ustar.mjs';
import { buildCrossAddon, OPENWRT_TARGETS } from './cross-addon.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** This machine's kind, in OpenWrt's words. */
const DEFAULT_ARCH = { x64: 'x86_64', arm64: 'aarch64_generic', arm: 'arm_cortex-a7_neon-vfpv4', ia32: 'i386_pentium4' };

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

export function buildPackages({ arch, addon = 'none', release, out = join(root, 'dist'), mtime }) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = `${pkg.version}-r${release ?? pkg.release ?? 1}`;
  const na = nodeArch(arch);
  if (!na.ok) throw new Error(na.error);
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
  const addonFile = addon === 'prebuild' ? glibcAddon(na.value) : addon;
  if (addonFile !== 'none') {
    if (!existsSync(addonFile)) throw new Error(`no netlink addon at ${addonFile}`);
    files.push({ name: './usr/lib/updyn/netlink.node', mode: 0o755, data: readFileSync(addonFile) });
  }
  const updyn = ipk({
    ...common,
    name: 'updyn',
    arch,
    depends: 'libc, node',
    section: 'net',
    description: `${pkg.description}.\nKeeps A and AAAA records at the router's current addresses: told of a change at once\nby netlink (or netifd), asks checkip behind NAT, never re-sends what the provider has.`,
    files,
    control: [
      { name: './conffiles', mode: 0o644, data: '/etc/config/updyn\n' },
      { name: './postinst', mode: 0o755, data: POSTINST },
      { name: './prerm', mode: 0o755, data: PRERM },
    ],
  });

  const luci = ipk({
    ...common,
    name: 'luci-app-updyn',
    arch: 'all',
    depends: 'luci-base, updyn',
    section: 'luci',
    description: 'LuCI support for updyn: status page and settings.',
    files: luciFiles(join(root, 'openwrt/luci-app-updyn')),
    control: [
      { name: './postinst', mode: 0o755, data: POSTINST },
      { name: './postinst-pkg', mode: 0o755, data: LUCI_POSTINST_PKG },
      { name: './prerm', mode: 0o755, data: PRERM },
    ],
  });

  mkdirSync(out, { recursive: true });
  const written = [];
  for (const p of [updyn, luci]) {
    const file = join(out, p.file);
    writeFileSync(file, p.bytes);
    written.push(file);
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

function ipk({ name, version, arch, depends, section, license, maintainer, description, files, control, mtime }) {
  const data = tar(withDirectories(files), mtime);
  const text = [
    `Package: ${name}`,
    `Version: ${version}`,
    `Depends: ${depends}`,
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

/** SOURCE_DATE_EPOCH, else the last commit's time: the same tree packs to the same bytes. */
function sourceDate() {
  if (/^\d+$/.test(process.env.SOURCE_DATE_EPOCH ?? '')) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || 0;
  } catch {
    return 0;
  }
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
  const arch = values.arch ?? DEFAULT_ARCH[process.arch];
  try {
    if (!arch) throw new Error(`no OpenWrt arch for this machine (${process.arch}); give --arch`);
    if (values.release !== undefined && !/^[1-9]\d*$/.test(values.release)) throw new Error('--release takes a whole number from 1');
    if (!values['no-build']) await bundle();
    // --arch A without --addon: the musl addon for A, cross-built (build/cross-addon.mjs); --arch all: every arch
    for (const { arch: a, addon } of await crossAddons(values.arch, values.addon, arch)) {
      const written = buildPackages({ arch: a, addon, release: values.release, out: values.out, mtime: sourceDate() });
      for (const f of written) console.log(`package: ${relative(process.cwd(), f)}`);
    }
  } catch (e) {
    console.error(`package: ${e.message}`);
    process.exit(1);
  }
}
