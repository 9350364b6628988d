// The packages `npm run package` builds, installed, upgraded and removed by
// the REAL package managers: apk 3 (../shared/openwrt/apk, OpenWrt 25.12) and
// opkg (in ../shared/openwrt/openwrt-root.tar.gz, the 24.10 one), on an
// OpenWrt root whose package scripts run OpenWrt's own /lib/functions.sh
// (default_postinst / default_prerm), /etc/rc.common and procd.sh. Only procd
// itself is a recorder (test/openwrt/owrt-root.ts): there is none here.
import { before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/env';
import { APK, OpenWrtRoot, needsRealTools, realToolsUnavailable } from './owrt-root';
import { readIpk } from './tar';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const V1 = `${pkg.version}-r1`;
const V2 = `${pkg.version}-r2`;
const EPOCH = '1700000000';
const ROUTER_ARCH = 'aarch64_cortex-a53';
const out = join(tmpdir(), `updyn-install-${process.pid}`);
process.on('exit', () => spawnSync('rm', ['-rf', out]));

function pack(dir: string, ...args: string[]): string {
  const d = join(out, dir);
  const r = spawnSync(process.execPath, [join(repoRoot, 'build/package.mjs'), '--no-build', '--out', d, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return d;
}

let r1 = '';
let r2 = '';
let native = '';
/** apk packages made by the real `apk mkpkg` that stand in for the feeds' libc, node, luci-base. */
let stubs: string[] = [];
before(() => {
  r1 = pack('r1');
  r2 = pack('r2', '--release', '2');
  native = pack('x86', '--arch', 'x86_64');
  if (realToolsUnavailable() !== null) return;
  const s = join(out, 'stubs');
  mkdirSync(join(s, 'files'), { recursive: true });
  stubs = [
    ['libc', '1.2.5-r4'],
    ['node', '20.19.0-r1'],
    ['luci-base', '25.100.0-r1'],
  ].map(([name, version]) => {
    const file = join(s, `${name}.apk`);
    const r = spawnSync(APK, ['mkpkg', '--info', `name:${name}`, '--info', `version:${version}`, '--info', 'arch:noarch', '--output', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return file;
  });
});

const file = (dir: string, name: string, v: string, arch: string, ext: string) => join(dir, `${name}_${v}_${arch}.${ext}`);

/** The user's own settings, made with the real uci: a service enabled on lo. */
function editConfig(w: OpenWrtRoot): void {
  const r = w.sh(
    [
      'uci set updyn.example.enabled=1',
      "uci set updyn.example.username='login@example.com'",
      "uci set updyn.example.password='users-own-token'",
      "uci add_list updyn.example.host='home.example.com'",
      "uci set updyn.example.device='lo'",
      'uci commit updyn',
    ].join(' && '),
  );
  assert.equal(r.code, 0, r.out);
}

const EDITED = /option password 'users-own-token'/;

function assertConfigKept(w: OpenWrtRoot, when: string): void {
  assert.match(w.read('etc/config/updyn'), EDITED, `${when}: the user's config`);
  assert.equal(statSync(w.path('etc/config/updyn')).mode & 0o777, 0o600, `${when}: still 0600`);
}

const actions = (w: OpenWrtRoot) => w.procd().map((a) => a.action);

/** Install, edit, start, upgrade, remove: the same story for either package manager. */
async function lifecycle(
  t: TestContext,
  w: OpenWrtRoot,
  pm: { install: (files: string[]) => void; upgrade: (files: string[]) => void; remove: (names: string[]) => void; ext: 'apk' | 'ipk' },
) {
  // install: enabled (the rc.d links), but with every service disabled no instance: no idle node
  pm.install([file(r1, 'updyn', V1, 'all', pm.ext), file(r1, 'luci-app-updyn', V1, 'all', pm.ext)]);
  assert.ok(w.exists('usr/bin/updyn') && w.exists('etc/init.d/updyn') && w.exists('www/luci-static/resources/view/updyn/status.js'));
  assert.ok(w.exists('etc/rc.d/S95updyn'), 'default_postinst enabled the init script');
  const sets = w.ubusCalls().filter((c) => c[1] === 'service' && c[2] === 'set');
  assert.equal(sets.length, 1, 'default_postinst started the service once');
  assert.deepEqual(Object.keys(JSON.parse(sets[0]?.[3] ?? '{}').instances ?? {}), [], 'no procd instance while no service is enabled');
  assert.deepEqual(actions(w), [], 'procd started nothing');
  assert.match(JSON.stringify(JSON.parse(sets[0]?.[3] ?? '{}').triggers), /"config\.change",\["if",\["eq","package","updyn"\],\["run_script","\/etc\/init\.d\/updyn","reload"\]\]/, 'but the reload trigger is registered');
  assert.equal(statSync(w.path('etc/config/updyn')).mode & 0o777, 0o600);

  // the user enables a service; the config.change trigger (procd_add_reload_trigger,
  // which the real procd fires on `uci commit` + reload_config) runs reload: the daemon runs
  editConfig(w);
  const start = w.sh('/etc/init.d/updyn reload');
  assert.equal(start.code, 0, start.out);
  assert.deepEqual(actions(w), ['start']);

  // upgrade to a higher release: the config stays the user's, the running daemon restarts
  pm.upgrade([file(r2, 'updyn', V2, 'all', pm.ext), file(r2, 'luci-app-updyn', V2, 'all', pm.ext)]);
  assertConfigKept(w, 'upgrade');
  // the new default is left beside it (the README says where)
  assert.ok(w.exists(pm.ext === 'apk' ? 'etc/config/updyn.apk-new' : 'etc/config/updyn-opkg'), 'the new default beside the kept config');
  assert.deepEqual(actions(w), ['start', 'stop', 'start'], 'the upgrade restarted the daemon (new code runs)');

  // remove: the daemon stops, the init links go, the edited config (a conffile) stays
  pm.remove(['luci-app-updyn', 'updyn']);
  assert.ok(!w.exists('usr/bin/updyn') && !w.exists('etc/init.d/updyn') && !w.exists('www/luci-static/resources/view/updyn/status.js'));
  assert.ok(!w.exists('etc/rc.d/S95updyn'), 'default_prerm disabled it');
  assert.deepEqual(actions(w), ['start', 'stop', 'start', 'stop']);
  assertConfigKept(w, 'removal');
  void t;
}

test('apk 3: install, upgrade and remove updyn and luci-app-updyn; the config survives; an upgrade restarts the daemon', async (t) => {
  if (!needsRealTools(t)) return;
  const w = new OpenWrtRoot(t);
  // OpenWrt 25.12 writes the router's package arch here; noarch is always welcome
  const init = w.apk('add', '--initdb', ...stubs.slice(0, 2), stubs[2] as string);
  assert.equal(init.code, 0, init.out);
  w.write('etc/apk/arch', `${ROUTER_ARCH}\n`);
  await lifecycle(t, w, {
    ext: 'apk',
    install: (files) => {
      const r = w.apk('add', ...files);
      assert.equal(r.code, 0, r.out);
      const db = w.read('lib/apk/db/installed');
      assert.match(db, /^P:updyn\n[\s\S]*?^A:noarch$[\s\S]*?^D:libc node$/m, 'arch noarch; the dependencies name node');
      assert.match(db, /^P:luci-app-updyn\n[\s\S]*?^D:luci-base updyn$/m);
      assert.equal(w.read('lib/apk/packages/updyn.conffiles'), '/etc/config/updyn\n');
    },
    upgrade: (files) => {
      const r = w.apk('add', ...files);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`Upgrading updyn \\(${V1} -> ${V2}\\)`));
      assert.match(w.read('lib/apk/db/installed'), new RegExp(`^P:updyn\\nV:${V2}$`, 'm'));
    },
    remove: (names) => {
      const r = w.apk('del', ...names);
      assert.equal(r.code, 0, r.out);
      assert.doesNotMatch(w.read('lib/apk/db/installed'), /^P:updyn$/m);
    },
  });
  // a package built for this machine's arch is refused on the router: the arch check is real
  const x86 = w.apk('add', file(native, 'updyn', V1, 'x86_64', 'apk'));
  assert.notEqual(x86.code, 0, x86.out);
  // and without node, updyn does not install
  const bare = new OpenWrtRoot(t);
  assert.equal(bare.apk('add', '--initdb', stubs[0] as string).code, 0);
  const nodeless = bare.apk('add', file(r1, 'updyn', V1, 'all', 'apk'));
  assert.notEqual(nodeless.code, 0);
  assert.match(nodeless.out, /node \(no such package\)/);
});

const OPKG_CONF = `dest root /
dest ram /tmp
lists_dir ext /var/opkg-lists
option overlay_root /overlay
arch all 1
arch noarch 1
arch ${ROUTER_ARCH} 10
`;

/** The status of a router whose image brought libc, node and luci-base. */
const OPKG_STATUS = ['libc', 'node', 'luci-base']
  .map((name) => `Package: ${name}\nVersion: 1.0-r1\nStatus: install user installed\nArchitecture: ${ROUTER_ARCH}\nInstalled-Time: ${EPOCH}\n`)
  .join('\n');

test('opkg: install, upgrade and remove updyn and luci-app-updyn on an aarch64_cortex-a53 router; the config survives; an upgrade restarts the daemon', async (t) => {
  if (!needsRealTools(t)) return;
  const w = new OpenWrtRoot(t);
  w.write('etc/opkg.conf', OPKG_CONF);
  w.write('usr/lib/opkg/status', OPKG_STATUS);
  mkdirSync(w.path('usr/lib/opkg/info'), { recursive: true });
  const copyIn = (files: string[]) =>
    files.map((f) => {
      const to = `/tmp/${f.slice(f.lastIndexOf('/') + 1)}`;
      writeFileSync(w.path(to), readFileSync(f));
      return to;
    });
  const opkg = (args: string) => w.sh(`opkg ${args}`);
  await lifecycle(t, w, {
    ext: 'ipk',
    install: (files) => {
      const r = opkg(`install ${copyIn(files).join(' ')}`);
      assert.equal(r.code, 0, r.out);
      assert.doesNotMatch(r.out, /incompatible/);
      const status = w.read('usr/lib/opkg/status');
      assert.match(status, /^Package: updyn\nVersion: [^\n]+\nDepends: libc, node\n/m, 'the dependencies name node');
      assert.match(status, /^Package: updyn\n(?:[^\n]+\n)*?Architecture: all\n/m);
    },
    upgrade: (files) => {
      const r = opkg(`install ${copyIn(files).join(' ')}`);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`Upgrading updyn on root from ${V1} to ${V2}`));
    },
    remove: (names) => {
      const r = opkg(`remove ${names.join(' ')}`);
      assert.equal(r.code, 0, r.out);
    },
  });
  // what the bug report saw, with a package that names one arch: opkg refuses it
  const x86 = opkg(`install ${copyIn([file(native, 'updyn', V1, 'x86_64', 'ipk')]).join(' ')}`);
  assert.notEqual(x86.code, 0);
  assert.match(x86.out, /incompatible with the architectures configured/);
});

test("our .apk reads back as the real `apk mkpkg`'s own for the same tree, scripts and info", (t) => {
  if (!needsRealTools(t)) return;
  const ours = file(r1, 'updyn', V1, 'all', 'apk');
  // the same tree on disk: the ipk's data, plus the lib/apk/packages files as ours carries them
  const tree = join(out, 'tree');
  const { data } = readIpk(readFileSync(file(r1, 'updyn', V1, 'all', 'ipk')));
  const put = (name: string, mode: number, bytes: Buffer) => {
    const p = join(tree, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, bytes, { mode });
    spawnSync('chmod', [mode.toString(8), p]);
  };
  for (const e of data) if (!e.name.endsWith('/')) put(e.name, e.mode, e.data);
  const extract = (p: string) => spawnSync(APK, ['extract', '--allow-untrusted', '--no-chown', '--destination', join(out, 'ours'), ours], { encoding: 'utf8' }) && readFileSync(join(out, 'ours', p));
  mkdirSync(join(out, 'ours'), { recursive: true });
  for (const f of ['updyn.list', 'updyn.conffiles', 'updyn.conffiles_static']) put(`lib/apk/packages/${f}`, 0o644, extract(`lib/apk/packages/${f}`));
  const when = Number(EPOCH);
  spawnSync('find', [tree, '-exec', 'touch', '-h', '-d', `@${when}`, '{}', '+']);
  spawnSync('find', [tree, '-type', 'd', '-exec', 'chmod', '0755', '{}', '+']);
  utimesSync(tree, when, when);
  // the scripts as ours carries them, written out for --script
  const dump = (f: string) => spawnSync(APK, ['adbdump', f], { encoding: 'utf8' }).stdout;
  const scripts = join(out, 'scripts');
  mkdirSync(scripts, { recursive: true });
  const ourDump = dump(ours);
  const args = ['mkpkg', '--files', tree, '--output', join(out, 'theirs.apk')];
  for (const s of ['post-install', 'post-upgrade', 'pre-deinstall']) {
    const text = scriptFrom(ourDump, s);
    writeFileSync(join(scripts, s), text);
    args.push('--script', `${s}:${join(scripts, s)}`);
  }
  const desc = /^ {2}description: \|\n {4}(.*)$/m.exec(ourDump)?.[1] ?? '';
  args.push('--info', 'name:updyn', '--info', `version:${V1}`, '--info', `description:${desc}`, '--info', 'arch:noarch', '--info', 'license:MIT');
  args.push('--info', 'origin:updyn', '--info', 'maintainer:updyn developers', '--info', 'depends:libc node');
  const r = spawnSync(APK, args, { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // the unique id hashes the adb bytes, whose layout is the writer's own: compare all else
  const norm = (s: string) => s.replace(/^ {2}hashes: [0-9a-f]+$/m, '  hashes: ...').replace(/^# ADB block, size: \d+/m, '# ADB block');
  assert.equal(norm(ourDump), norm(dump(join(out, 'theirs.apk'))));
  assert.match(ourDump, /^ {2}hashes: [0-9a-f]{40}$/m);
});

/** A script's text from `apk adbdump` (a YAML block scalar, indented 4). */
function scriptFrom(dump: string, name: string): string {
  const m = new RegExp(`^ {2}${name}: \\|\\n((?: {4}.*\\n|\\n)*)`, 'm').exec(dump);
  assert.ok(m, `${name} in the dump`);
  return (m[1] ?? '').replace(/\n+$/, '\n').replace(/^ {4}/gm, '');
}
