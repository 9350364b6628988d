// The packages `npm run package` builds: read back as opkg reads them, then
// installed into a temporary root (GNU tar unpacks them, an implementation
// other than the writer's) and run from there against the test provider,
// with only what the package put in that root.
import { before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SERVICE_OPTIONS } from '../../src/config/schema';
import { startProvider } from '../provider/server';
import { repoRoot, tempDir } from '../support/env';
import { TOKEN, uciFile } from '../support/fixtures';
import { controlFields, readIpk, type TarEntry } from './tar';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; release?: number };
const VERSION = `${pkg.version}-r${pkg.release ?? 1}`;
const EPOCH = '1700000000';
const HOST_ARCH = ({ x64: 'x86_64', arm64: 'aarch64_generic', arm: 'arm_cortex-a7_neon-vfpv4', ia32: 'i386_pentium4' } as Record<string, string>)[process.arch];
const PREBUILD = { x64: 'linux-x64', arm64: 'linux-arm64', arm: 'linux-arm', ia32: 'linux-ia32' }[process.arch as 'x64'];
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;

const outRoot = join(tmpdir(), `updyn-pkg-${process.pid}`);
process.on('exit', () => rmSync(outRoot, { recursive: true, force: true }));

function pack(name: string, ...args: string[]): { code: number | null; out: string; dir: string } {
  const dir = join(outRoot, name);
  const r = spawnSync(process.execPath, [join(repoRoot, 'build/package.mjs'), '--no-build', '--out', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH },
  });
  return { code: r.status, out: r.stdout + r.stderr, dir };
}

let plain = '';
let withAddon = '';
let luci = '';
before(() => {
  assert.ok(HOST_ARCH, `no OpenWrt arch for ${process.arch}`);
  // no --arch: no native code, architecture-independent
  const a = pack('plain');
  assert.equal(a.code, 0, a.out);
  plain = join(a.dir, `updyn_${VERSION}_all.ipk`);
  for (const f of [`updyn_${VERSION}_all.apk`, `luci-app-updyn_${VERSION}_all.apk`]) assert.ok(existsSync(join(a.dir, f)), f);
  luci = join(a.dir, `luci-app-updyn_${VERSION}_all.ipk`);
  const b = pack('addon', '--arch', HOST_ARCH, '--addon', 'prebuild');
  assert.equal(b.code, 0, b.out);
  withAddon = join(b.dir, `updyn_${VERSION}_${HOST_ARCH}.ipk`);
});

const entry = (entries: TarEntry[], name: string) => {
  const e = entries.find((x) => x.name === name);
  assert.ok(e, `${name} in the archive`);
  return e;
};
const listing = (entries: TarEntry[]) => entries.map((e) => `${e.name} ${e.mode.toString(8).padStart(4, '0')} ${e.uid}:${e.gid}`);

test('the .ipk is what opkg reads: a gzip\'d tar of debian-binary, data.tar.gz, control.tar.gz', () => {
  const bytes = readFileSync(plain);
  assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b], 'gzip, not an ar archive');
  const { outer } = readIpk(bytes);
  assert.deepEqual(outer.map((e) => e.name), ['./debian-binary', './data.tar.gz', './control.tar.gz']);
  assert.equal(entry(outer, './debian-binary').data.toString(), '2.0\n');
});

test('data: the bundle, the init script and the config (0600), every file root:root', () => {
  const { data } = readIpk(readFileSync(plain));
  assert.deepEqual(listing(data), [
    './ 0755 0:0',
    './etc/ 0755 0:0',
    './etc/config/ 0755 0:0',
    './etc/config/updyn 0600 0:0',
    './etc/init.d/ 0755 0:0',
    './etc/init.d/updyn 0755 0:0',
    './usr/ 0755 0:0',
    './usr/bin/ 0755 0:0',
    './usr/bin/updyn 0755 0:0',
  ]);
  assert.ok(data.every((e) => e.uname === 'root' && e.gname === 'root'));
  assert.deepEqual(entry(data, './usr/bin/updyn').data, readFileSync(join(repoRoot, 'dist/updyn.js')));
  assert.deepEqual(entry(data, './etc/init.d/updyn').data, readFileSync(join(repoRoot, 'init.d/updyn')));
  assert.deepEqual(entry(data, './etc/config/updyn').data, readFileSync(join(repoRoot, 'openwrt/files/updyn.config')));
  const addon = readIpk(readFileSync(withAddon)).data;
  assert.equal(listing(addon).filter((l) => l.includes('/lib/')).join('\n'), ['./usr/lib/ 0755 0:0', './usr/lib/updyn/ 0755 0:0', './usr/lib/updyn/netlink.node 0755 0:0'].join('\n'));
});

test('control: name, version, dependencies, architecture, size', () => {
  const { control, dataTarSize } = readIpk(readFileSync(plain));
  assert.deepEqual(listing(control), ['./ 0755 0:0', './conffiles 0644 0:0', './control 0644 0:0', './postinst 0755 0:0', './postinst-pkg 0755 0:0', './prerm 0755 0:0']);
  const f = controlFields(entry(control, './control').data.toString());
  assert.equal(f.get('Package'), 'updyn');
  assert.equal(f.get('Version'), VERSION);
  assert.match(VERSION, /^\d+\.\d+\.\d+-r\d+$/);
  assert.equal(f.get('Depends'), 'libc, node');
  assert.equal(f.get('Architecture'), 'all', 'no native code: every router takes it');
  assert.equal(f.get('Installed-Size'), String(dataTarSize), 'like ipkg-build: the unpacked data tar');
  assert.equal(f.get('License'), 'MIT');
  assert.equal(f.get('Section'), 'net');
  assert.equal(f.get('SourceDateEpoch'), EPOCH);
  assert.ok(f.get('Maintainer'));
  assert.match(f.get('Description') ?? '', /^Event-driven dynamic DNS client daemon/);
  assert.equal(entry(control, './conffiles').data.toString(), '/etc/config/updyn\n');
});

test('postinst and prerm are the SDK\'s: default_postinst / default_prerm from /lib/functions.sh', (t) => {
  const { control } = readIpk(readFileSync(plain));
  const postinst = entry(control, './postinst').data.toString();
  const prerm = entry(control, './prerm').data.toString();
  assert.equal(
    postinst,
    '#!/bin/sh\n[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0\n. "${IPKG_INSTROOT}/lib/functions.sh"\ndefault_postinst "$0" "$@"\n',
  );
  assert.equal(prerm, '#!/bin/sh\n[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0\n. "${IPKG_INSTROOT}/lib/functions.sh"\ndefault_prerm "$0" "$@"\n');
  // run them over a root whose functions.sh notes the calls
  const root = tempDir(t);
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'lib/functions.sh'), `default_postinst() { echo "postinst $*" >> '${root}/calls'; }\ndefault_prerm() { echo "prerm $*" >> '${root}/calls'; }\n`);
  const script = (name: string, body: string) => {
    const file = join(root, name);
    writeFileSync(file, body, { mode: 0o755 });
    return file;
  };
  const p = script('updyn.postinst', postinst);
  const r = script('updyn.prerm', prerm);
  const env = { ...process.env, IPKG_INSTROOT: root };
  assert.equal(spawnSync('/bin/sh', [p, 'configure'], { env: { ...env, IPKG_NO_SCRIPT: '1' } }).status, 0);
  assert.ok(!existsSync(join(root, 'calls')), 'IPKG_NO_SCRIPT=1: nothing runs');
  assert.equal(spawnSync('/bin/sh', [p, 'configure'], { env }).status, 0);
  assert.equal(spawnSync('/bin/sh', [r, 'remove'], { env }).status, 0);
  assert.equal(readFileSync(join(root, 'calls'), 'utf8'), `postinst ${p} configure\nprerm ${r} remove\n`);
  // no functions.sh (not OpenWrt): nothing to do, no failure
  assert.equal(spawnSync('/bin/sh', [p, 'configure'], { env: { ...env, IPKG_INSTROOT: join(root, 'none') } }).status, 0);
});

/** The data of `ipk` unpacked into a fresh root by GNU tar, as opkg would install it. */
function install(t: TestContext, ipk: string): string {
  const root = tempDir(t, 'updyn-root-');
  const data = readIpk(readFileSync(ipk));
  assert.ok(data);
  const outer = spawnSync('tar', ['-xzf', ipk, '-C', root, './data.tar.gz']);
  assert.equal(outer.status, 0, outer.stderr?.toString());
  const inner = spawnSync('tar', ['-xzpf', join(root, 'data.tar.gz'), '-C', root]);
  assert.equal(inner.status, 0, inner.stderr?.toString());
  rmSync(join(root, 'data.tar.gz'));
  return root;
}

function installedUpdyn(root: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(join(root, 'usr/bin/updyn'), args, { encoding: 'utf8', env: { ...process.env, PATH, ...env }, timeout: 60_000 });
}

test('the packaged config passes check-config, and shows every service option, commented', (t) => {
  const root = install(t, plain);
  const conf = join(root, 'etc/config/updyn');
  const r = installedUpdyn(root, ['check-config', '--json', '-c', conf]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(json.services.map((s: { name: string; enabled: boolean }) => [s.name, s.enabled]), [['example', false]]);
  assert.deepEqual(json.warnings, [`${conf}: no service is enabled: updyn has nothing to update`], 'mode 0600: no warning about it');
  const text = readFileSync(conf, 'utf8');
  assert.match(text, /^config updyn 'global'$/m);
  assert.match(text, /^\toption enabled '0'$/m);
  for (const o of SERVICE_OPTIONS.filter((x) => x !== 'name' && x !== 'enabled')) {
    assert.match(text, new RegExp(`^#\\t(option|list) ${o} '`, 'm'), `option ${o}`);
  }
  // every example is a valid value: uncommented all at once, still a valid config
  writeFileSync(conf, text.replace(/^#\t/gm, '\t'), { mode: 0o600 });
  const all = installedUpdyn(root, ['check-config', '-c', conf]);
  assert.equal(all.status, 0, all.stderr);
});

async function onceFromRoot(t: TestContext, root: string) {
  const provider = await startProvider({ accounts: [{ user: 'login@example.com', token: TOKEN, hosts: ['example.zerigo.com'] }] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.7');
  provider.setCheckipAnswer('ipv6', '2001:db8::7');
  const conf = join(root, 'etc/config/updyn-with-test-values');
  writeFileSync(conf, uciFile({ url: provider.url, url6: provider.url6 ?? provider.url, stateDir: join(root, 'var/run/updyn'), device: 'lo', ipSource: 'checkip', logLevel: 'debug' }), { mode: 0o600 });
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(join(root, 'usr/bin/updyn'), ['once', '-c', conf], { env: { ...process.env, PATH, UPDYN_NETLINK_ADDON: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(provider.records.get('example.zerigo.com'), { A: '203.0.113.7', AAAA: '2001:db8::7' });
  return { ...r, conf, provider };
}

test('installed with the addon: `updyn once` updates, reading devices through netlink', async (t) => {
  if (!PREBUILD || !existsSync(join(repoRoot, 'node_modules/netlink/prebuilds', PREBUILD))) return t.skip(`no netlink prebuild for ${process.arch}`);
  const root = install(t, withAddon);
  assert.ok(existsSync(join(root, 'usr/lib/updyn/netlink.node')));
  const r = await onceFromRoot(t, root);
  assert.match(r.stdout, /addresses read through netlink/);
});

test('installed without the addon: `updyn once` updates by polling; `updyn run` says why, once', async (t) => {
  assert.ok(!existsSync('/usr/lib/updyn/netlink.node'), 'this machine has an addon in /usr/lib/updyn: the fallback cannot be shown here');
  const root = install(t, plain);
  const r = await onceFromRoot(t, root);
  assert.match(r.stdout, /addresses read through poll/);
  // the daemon's note, as a router's syslog would carry it (stderr: daemon.err)
  const child = spawn(join(root, 'usr/bin/updyn'), ['run', '-c', r.conf], { env: { ...process.env, PATH, UPDYN_NETLINK_ADDON: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const end = Date.now() + 20_000;
  while (!/updyn started/.test(stdout) && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
  child.kill('SIGTERM');
  await new Promise((res) => child.on('close', res));
  assert.match(stdout, /updyn started: 1 service\(s\), 2 record\(s\), addresses through poll/);
  const notes = stderr.split('\n').filter((l) => l.includes('netlink unavailable'));
  assert.equal(notes.length, 1, stderr);
  assert.match(notes[0] ?? '', /\/usr\/lib\/updyn\/netlink\.node: not found.*polling addresses instead/);
});

test('luci-app-updyn: the views, resources, menu and ACL, for every arch', () => {
  const { outer, control, data } = readIpk(readFileSync(luci));
  assert.deepEqual(outer.map((e) => e.name), ['./debian-binary', './data.tar.gz', './control.tar.gz']);
  assert.deepEqual(
    listing(data).filter((l) => !l.includes('/ 0755')),
    [
      './usr/share/luci/menu.d/luci-app-updyn.json 0644 0:0',
      './usr/share/rpcd/acl.d/luci-app-updyn.json 0644 0:0',
      './www/luci-static/resources/updyn/protocols.js 0644 0:0',
      './www/luci-static/resources/updyn/status.js 0644 0:0',
      './www/luci-static/resources/view/status/include/75_updyn.js 0644 0:0',
      './www/luci-static/resources/view/updyn/log.js 0644 0:0',
      './www/luci-static/resources/view/updyn/settings.js 0644 0:0',
      './www/luci-static/resources/view/updyn/status.js 0644 0:0',
    ],
  );
  const f = controlFields(entry(control, './control').data.toString());
  assert.equal(f.get('Package'), 'luci-app-updyn');
  assert.equal(f.get('Version'), VERSION);
  assert.equal(f.get('Depends'), 'luci-base, updyn');
  assert.equal(f.get('Architecture'), 'all');
  // luci.mk's postinst, run by default_postinst: LuCI's caches go, rpcd re-reads ACLs and plugins
  const pkgPostinst = entry(control, './postinst-pkg');
  assert.equal(pkgPostinst.mode, 0o755);
  assert.match(pkgPostinst.data.toString(), /\[ -n "\$\{IPKG_INSTROOT\}" \] \|\| \{\n\trm -f \/tmp\/luci-indexcache \/tmp\/luci-indexcache\.\*\n\trm -rf \/tmp\/luci-modulecache\/\n\tkillall -HUP rpcd 2>\/dev\/null/);
  assert.ok(!control.some((e) => e.name === './conffiles'));
});

test('the same tree packs to the same bytes', () => {
  const again = pack('again');
  assert.equal(again.code, 0, again.out);
  for (const f of [`updyn_${VERSION}_all.ipk`, `luci-app-updyn_${VERSION}_all.ipk`, `updyn_${VERSION}_all.apk`, `luci-app-updyn_${VERSION}_all.apk`]) {
    assert.deepEqual(readFileSync(join(again.dir, f)), readFileSync(join(dirname(plain), f)), f);
  }
});

test('arch: OpenWrt names map to node\'s; MIPS and ARM without an FPU are refused; an SDK-built addon is packed as given', (t) => {
  const mips = pack('mips', '--arch', 'mipsel_24kc');
  assert.equal(mips.code, 1);
  assert.match(mips.out, /node is not built for mipsel_24kc .*MIPS is out/);
  const armel = pack('armel', '--arch', 'arm_arm926ej-s');
  assert.equal(armel.code, 1);
  assert.match(armel.out, /arm_arm926ej-s has no FPU/);
  const addon = join(tempDir(t), 'netlink.node');
  writeFileSync(addon, 'an ELF built by the SDK');
  const a53 = pack('a53', '--arch', 'aarch64_cortex-a53', '--addon', addon);
  assert.equal(a53.code, 0, a53.out);
  const { data, control } = readIpk(readFileSync(join(a53.dir, `updyn_${VERSION}_aarch64_cortex-a53.ipk`)));
  assert.equal(entry(data, './usr/lib/updyn/netlink.node').data.toString(), 'an ELF built by the SDK');
  assert.equal(controlFields(entry(control, './control').data.toString()).get('Architecture'), 'aarch64_cortex-a53');
});

test('openwrt/Makefile (the SDK build) matches package.json and installs what the .ipk holds', () => {
  const mk = readFileSync(join(repoRoot, 'openwrt/Makefile'), 'utf8');
  assert.match(mk, new RegExp(`^PKG_VERSION:=${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(mk, /^PKG_BUILD_DEPENDS:=node\/host$/m);
  const depends = /^\s*DEPENDS:=(.*)$/m.exec(mk)?.[1] ?? '';
  assert.match(depends, /\+node\b/);
  assert.match(depends, /@\(i386\|\|x86_64\|\|arm\|\|aarch64\)/, 'no MIPS');
  assert.match(mk, /define Package\/updyn\/conffiles\n\/etc\/config\/updyn\nendef/);
  const installs = [...mk.matchAll(/\$\(INSTALL_(BIN|CONF)\) \$\(PKG_BUILD_DIR\)\/(\S+)(?: \\\n\s*| )\$\(1\)(\S+)/g)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(installs, [
    ['BIN', 'dist/updyn.js', '/usr/bin/updyn'],
    ['BIN', 'netlink.node', '/usr/lib/updyn/netlink.node'],
    ['BIN', 'init.d/updyn', '/etc/init.d/updyn'],
    ['CONF', 'openwrt/files/updyn.config', '/etc/config/updyn'],
  ]);
  for (const [, from] of installs.filter(([, f]) => !f?.startsWith('dist/') && f !== 'netlink.node')) {
    assert.ok(existsSync(join(repoRoot, from ?? '')), from);
  }
});
