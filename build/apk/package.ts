// One OpenWrt 25.12 package in apk-tools v3's format, as `apk mkpkg` writes it
// when OpenWrt's include/package-pack.mk calls it (openwrt/openwrt), read from
// alpinelinux/apk-tools v3.0.2: src/app_mkpkg.c (what goes where), src/apk_adb.c
// and src/apk_adb.h (the schemas: field numbers, kinds, sort orders).
//
// The file is "ADBd" and then, raw-deflated (adb_comp.c, level 9 as zlib's
// default in io_gunzip.c), the adb file header with schema "pckg", one ADB
// block holding the package object, and one DATA block per non-empty regular
// file: {path index, file index} (1-based, in the sorted order of the
// package's dirs and files) and the file's bytes. No SIG block: the package is
// unsigned, installed with --allow-untrusted, as a feed's packages are
// installed without their key.
//
// The package object (schema_package):
//   1 info      (schema_pkginfo) name, version, hashes (a 20-byte unique id:
//               the first 20 bytes of the SHA-256 of the adb written with
//               zeros there, as mkpkg fills it), description, arch, license,
//               origin, maintainer, url, installed-size, depends
//   2 paths     every directory, sorted by name, the root ("") first; each
//               with its acl (mode, user, group) and its files sorted by
//               name: name, acl, size, mtime, hash (SHA-256)
//   3 scripts   trigger, pre-install, post-install, pre-deinstall,
//               post-deinstall, pre-upgrade, post-upgrade
// mkpkg's default compat level ("3.0.0_pre1") keeps every directory entry,
// the root's too (app_mkpkg.c mkpkg_setup_compat), and so does this.
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { AdbWriter, BLOCK_ADB, BLOCK_DATA, NULL_VALUE, block, fileHeader, type Value } from './adb';

/** ADB_SCHEMA_PACKAGE, "pckg" read as a little-endian word. */
const SCHEMA_PACKAGE = 0x676b6370;
/** apk_digest_alg_len(APK_DIGEST_SHA1): the length of the package's unique id. */
const UNIQUE_ID_LENGTH = 20;

export interface ApkFile {
  /** Path in the root, no leading slash: "etc/config/updyn". */
  path: string;
  mode: number;
  data: Buffer;
}

export interface ApkInfo {
  name: string;
  version: string;
  description: string;
  /** "noarch" for a package without native code, else apk's arch name. */
  arch: string;
  license: string;
  origin: string;
  maintainer: string;
  url?: string;
  /** Names (with an optional constraint: "node>=18"), as mkpkg's --info depends:... */
  depends: string[];
}

/** The scripts of schema_scripts, by their mkpkg --script names. */
export interface ApkScripts {
  'pre-install'?: string;
  'post-install'?: string;
  'pre-deinstall'?: string;
  'post-deinstall'?: string;
  'pre-upgrade'?: string;
  'post-upgrade'?: string;
}

const SCRIPT_SLOTS: (keyof ApkScripts | 'trigger')[] = [
  'trigger',
  'pre-install',
  'post-install',
  'pre-deinstall',
  'post-deinstall',
  'pre-upgrade',
  'post-upgrade',
];

export interface ApkOptions {
  /** Every file's mtime (SOURCE_DATE_EPOCH), in seconds. */
  mtime: number;
}

interface Dir {
  name: string;
  files: ApkFile[];
}

/** apk_blob_sort: bytewise, a prefix first. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const VERSION = /^\d+(\.\d+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*(~[0-9a-f]+)?(-r\d+)?$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** The .apk bytes, or a thrown Error naming what apk would refuse. */
export function buildApk(info: ApkInfo, files: ApkFile[], scripts: ApkScripts, opts: ApkOptions): Buffer {
  if (!NAME.test(info.name)) throw new Error(`apk: invalid package name ${JSON.stringify(info.name)}`);
  if (!VERSION.test(info.version)) throw new Error(`apk: invalid version ${JSON.stringify(info.version)}`);
  const dirs = directories(files);
  const w = new AdbWriter();
  const root = w.blob('root');
  const acl = (mode: number) => w.object([w.int(mode & 0o7777), root, root]);

  const paths: Value[] = dirs.map((d) =>
    w.object([
      w.blob(d.name),
      acl(0o755),
      w.array(
        d.files.map((f) =>
          w.object([
            w.blob(basename(f.path)),
            acl(f.mode),
            w.int(f.data.length),
            w.int(opts.mtime),
            w.blob(createHash('sha256').update(f.data).digest()),
          ]),
        ),
      ),
    ]),
  );

  const installedSize = files.reduce((n, f) => n + f.data.length, 0) || 1;
  const uid = w.blob(Buffer.alloc(UNIQUE_ID_LENGTH), { dedup: false });
  const depends = [...new Set(info.depends)].sort(byBytes).map((d) => dependency(w, d));
  const pkginfo = w.object([
    w.blob(info.name),
    w.blob(info.version),
    uid,
    w.blob(info.description),
    w.blob(info.arch),
    w.blob(info.license),
    w.blob(info.origin),
    w.blob(info.maintainer),
    w.blob(info.url ?? ''),
    NULL_VALUE, // repo-commit
    NULL_VALUE, // build-time: mkpkg sets it only when asked
    w.int(installedSize),
    NULL_VALUE, // file-size: an index's field
    NULL_VALUE, // provider-priority
    w.array(depends),
  ]);
  const scriptSlots = SCRIPT_SLOTS.map((s) => (s === 'trigger' ? NULL_VALUE : w.blob(scripts[s] ?? '')));
  const hasScripts = scriptSlots.some((v) => v !== NULL_VALUE);
  w.setRoot(w.object([pkginfo, w.array(paths), hasScripts ? w.object(scriptSlots) : NULL_VALUE]));

  const adb = Buffer.from(w.bytes());
  createHash('sha256').update(adb).digest().copy(adb, w.blobOffset(uid), 0, UNIQUE_ID_LENGTH);

  const parts = [fileHeader(SCHEMA_PACKAGE), block(BLOCK_ADB, adb)];
  dirs.forEach((d, i) =>
    d.files.forEach((f, j) => {
      if (f.data.length === 0) return;
      const head = Buffer.alloc(8);
      head.writeUInt32LE(i + 1, 0);
      head.writeUInt32LE(j + 1, 4);
      parts.push(block(BLOCK_DATA, Buffer.concat([head, f.data])));
    }),
  );
  return Buffer.concat([Buffer.from('ADBd', 'latin1'), deflateRawSync(Buffer.concat(parts), { level: 9 })]);
}

/** A dependency object (schema_dependency): name, and version + match for a constraint. */
function dependency(w: AdbWriter, text: string): Value {
  const m = /^([A-Za-z0-9][A-Za-z0-9._+-]*)(?:(>=|<=|=|>|<|~)(\S+))?$/.exec(text);
  if (!m) throw new Error(`apk: invalid dependency ${JSON.stringify(text)}`);
  const [, name = '', op, version] = m;
  if (!op || !version) return w.object([w.blob(name)]);
  if (!VERSION.test(version)) throw new Error(`apk: invalid version in dependency ${JSON.stringify(text)}`);
  // apk_version.h: EQUAL 1, LESS 2, GREATER 4, FUZZY 8; "=" is the default and not stored
  const match = { '=': 0, '<': 2, '>': 4, '<=': 3, '>=': 5, '~': 9 }[op] ?? 0;
  return w.object([w.blob(name), w.blob(version), match ? w.int(match) : NULL_VALUE]);
}

/** Every directory holding a file, its parents and the root, sorted; files sorted in each. */
function directories(files: ApkFile[]): Dir[] {
  const byName = new Map<string, Dir>([['', { name: '', files: [] }]]);
  for (const f of files) {
    if (f.path.startsWith('/') || f.path.endsWith('/') || f.path.split('/').some((p) => p === '' || p === '.' || p === '..')) {
      throw new Error(`apk: bad path ${JSON.stringify(f.path)}`);
    }
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const name = parts.slice(0, i).join('/');
      if (!byName.has(name)) byName.set(name, { name, files: [] });
    }
    const dir = byName.get(parts.slice(0, -1).join('/')) as Dir;
    if (dir.files.some((x) => x.path === f.path)) throw new Error(`apk: ${f.path} twice`);
    dir.files.push(f);
  }
  const dirs = [...byName.values()].sort((a, b) => byBytes(a.name, b.name));
  for (const d of dirs) d.files.sort((a, b) => byBytes(basename(a.path), basename(b.path)));
  return dirs;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
