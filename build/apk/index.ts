// An OpenWrt package spec (build/package.mjs) as the .apk that OpenWrt 25.12's
// include/package-pack.mk makes of it (openwrt/openwrt, the CONFIG_USE_APK
// branch of BuildTarget/ipkg):
// - files: the package's own, plus lib/apk/packages/NAME.list (every file,
//   "/path" a line, sorted: what default_postinst/default_prerm grep for
//   init scripts), NAME.conffiles (one path a line) and NAME.conffiles_static
//   ("path sha256" a line) when it has conffiles;
// - info: name, version, description (on one line), arch ("noarch" for
//   PKGARCH all), license, origin, maintainer, depends (space-separated names);
// - scripts: post-install (default_postinst, then the package's postinst-pkg),
//   post-upgrade (the same under PKG_UPGRADE=1), pre-deinstall (default_prerm,
//   then prerm-pkg), each with root and pkgname exported for /lib/functions.sh.
import { createHash } from 'node:crypto';
import { buildApk, type ApkFile } from './package';

export interface PackageSpec {
  name: string;
  version: string;
  /** An OpenWrt package architecture, or "all". */
  arch: string;
  depends: string[];
  license: string;
  maintainer: string;
  description: string;
  /** As for the ipk: "./usr/bin/updyn". */
  files: { name: string; mode: number; data: Buffer | string }[];
  conffiles: string[];
  /** The package's postinst-pkg (a shell script), if any. */
  postinstPkg?: string;
  prermPkg?: string;
  mtime: number;
}

/** package-pack.mk: strip a script's `#!` line before appending it. */
function body(script: string | undefined): string {
  if (!script) return '';
  return script.replace(/^\s*#!.*\n/m, '');
}

export function scriptsFor(spec: PackageSpec): { postInstall: string; postUpgrade: string; preDeinstall: string } {
  const env = `export root="\${IPKG_INSTROOT}"\nexport pkgname="${spec.name}"\n`;
  const postInstall =
    '#!/bin/sh\n' +
    '[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n' +
    '[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0\n' +
    '. "${IPKG_INSTROOT}/lib/functions.sh"\n' +
    env +
    'add_group_and_user\n' +
    'default_postinst\n' +
    body(spec.postinstPkg);
  const postUpgrade = `#!/bin/sh\nexport PKG_UPGRADE=1\n${body(postInstall)}`;
  const preDeinstall =
    '#!/bin/sh\n' +
    '[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0\n' +
    '. "${IPKG_INSTROOT}/lib/functions.sh"\n' +
    env +
    'default_prerm\n' +
    body(spec.prermPkg);
  return { postInstall, postUpgrade, preDeinstall };
}

export function apkPackage(spec: PackageSpec): { file: string; bytes: Buffer } {
  const own: ApkFile[] = spec.files
    .filter((f) => !f.name.endsWith('/'))
    .map((f) => ({ path: f.name.replace(/^\.\//, ''), mode: f.mode, data: Buffer.from(f.data) }));
  const meta = `lib/apk/packages/${spec.name}`;
  const list = own.map((f) => `/${f.path}`).sort();
  const extra: ApkFile[] = [{ path: `${meta}.list`, mode: 0o644, data: Buffer.from(list.map((l) => `${l}\n`).join('')) }];
  const kept = spec.conffiles.filter((c) => own.some((f) => `/${f.path}` === c));
  if (spec.conffiles.length > 0) {
    extra.push({ path: `${meta}.conffiles`, mode: 0o644, data: Buffer.from(spec.conffiles.map((c) => `${c}\n`).join('')) });
    const sums = kept.map((c) => {
      const f = own.find((x) => `/${x.path}` === c) as ApkFile;
      return `${c} ${createHash('sha256').update(f.data).digest('hex')}\n`;
    });
    extra.push({ path: `${meta}.conffiles_static`, mode: 0o644, data: Buffer.from(sums.join('')) });
  }
  const s = scriptsFor(spec);
  const bytes = buildApk(
    {
      name: spec.name,
      version: spec.version,
      // package-pack.mk: strip, one line (make joins the define's lines with spaces)
      description: spec.description.split('\n').map((l) => l.trim()).filter(Boolean).join(' '),
      arch: spec.arch === 'all' ? 'noarch' : spec.arch,
      license: spec.license,
      origin: spec.name,
      maintainer: spec.maintainer,
      depends: spec.depends,
    },
    [...own, ...extra],
    { 'post-install': s.postInstall, 'post-upgrade': s.postUpgrade, 'pre-deinstall': s.preDeinstall },
    { mtime: spec.mtime },
  );
  return { file: `${spec.name}_${spec.version}_${spec.arch}.apk`, bytes };
}
