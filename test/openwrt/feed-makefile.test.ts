// openwrt/Makefile as a feed package an upstream reviewer would take, checked
// against openwrt/packages' conventions (net/ddns-scripts, lang/node at
// 0521bb5679: rules.mk first, PKG_* variables, package.mk, Package/NAME with
// SECTION/CATEGORY/TITLE/URL/DEPENDS, conffiles, INSTALL_* into $(1),
// BuildPackage last), and against the release tarball it builds from: the
// hash, the top directory, every file it installs or compiles. Not buildable
// here (no SDK): its compile recipe is run with this machine's g++ standing
// in for $(TARGET_CXX), and the addon it makes is loaded.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tempDir } from '../support/env';
import { readTarGz } from './tar';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const mk = readFileSync(join(repoRoot, 'openwrt/Makefile'), 'utf8');
const variable = (text: string, name: string) => new RegExp(`^\\s*${name}:=(.*)$`, 'm').exec(text)?.[1]?.trim();
const block = (name: string) => new RegExp(`^define ${name.replace(/[/$()]/g, '\\$&')}\\n([\\s\\S]*?)^endef$`, 'm').exec(mk)?.[1] ?? '';

function release(out: string): { tarball: string; makefile: string; log: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'build/source-tarball.mjs'), '--no-build', '--out', out], {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return { tarball: join(out, `updyn-${pkg.version}.tar.gz`), makefile: join(out, 'feed/updyn/Makefile'), log: r.stdout };
}

test('the feed Makefile has what openwrt/packages requires of a package', () => {
  assert.match(mk.split('\n').find((l) => l && !l.startsWith('#')) ?? '', /^include \$\(TOPDIR\)\/rules\.mk$/, 'rules.mk first');
  assert.equal(variable(mk, 'PKG_NAME'), 'updyn');
  assert.equal(variable(mk, 'PKG_VERSION'), pkg.version);
  assert.match(variable(mk, 'PKG_RELEASE') ?? '', /^[1-9]\d*$/);
  assert.equal(variable(mk, 'PKG_SOURCE'), '$(PKG_NAME)-$(PKG_VERSION).tar.gz');
  assert.match(variable(mk, 'PKG_SOURCE_URL') ?? '', /^https:\/\/\S+\$\(PKG_VERSION\)$/);
  assert.ok(variable(mk, 'PKG_HASH'), 'PKG_HASH');
  assert.match(variable(mk, 'PKG_MAINTAINER') ?? '', /^[^<>]+ <[^@\s<>]+@[^@\s<>]+\.[a-z]+>$/, 'a name and an address');
  assert.equal(variable(mk, 'PKG_LICENSE'), 'MIT');
  assert.ok((variable(mk, 'PKG_LICENSE_FILES') ?? '').split(/\s+/).includes('LICENSE'));
  assert.ok(mk.indexOf('include $(INCLUDE_DIR)/package.mk') > mk.indexOf('PKG_LICENSE_FILES:='), 'package.mk after the PKG_ variables');
  assert.equal(mk.trimEnd().split('\n').pop(), '$(eval $(call BuildPackage,updyn))');

  const def = block('Package/updyn');
  for (const v of ['SECTION', 'CATEGORY', 'TITLE', 'URL', 'DEPENDS']) assert.ok(variable(def, v), `Package/updyn sets ${v}`);
  assert.match(variable(def, 'URL') ?? '', /^https:\/\//);
  assert.match(variable(def, 'DEPENDS') ?? '', /(^|\s)\+node(\s|$)/);
  assert.ok(block('Package/updyn/description').trim(), 'a description');
  assert.equal(block('Package/updyn/conffiles'), '/etc/config/updyn\n');

  const compile = block('Build/Compile');
  assert.match(compile, /^\t\$\(TARGET_CXX\) /m, 'the addon is compiled with the SDK compiler');
  assert.match(compile, /-I\$\(UPDYN_NODE_INCLUDE\)/);
  assert.equal(variable(mk, 'UPDYN_NODE_INCLUDE'), '$(STAGING_DIR_HOSTPKG)/include/node');
  assert.equal(variable(mk, 'PKG_BUILD_DEPENDS'), 'node/host');
  assert.doesNotMatch(mk.replace(/^#.*$/gm, ''), /\bnpm\b|node-gyp/, 'no npm, no node-gyp in the SDK');

  const installs = [...block('Package/updyn/install').matchAll(/\$\(INSTALL_(BIN|CONF)\) \$\(PKG_BUILD_DIR\)\/(\S+) \$\(1\)(\S+)/g)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(installs, [
    ['BIN', 'dist/updyn.js', '/usr/bin/updyn'],
    ['BIN', 'netlink.node', '/usr/lib/updyn/netlink.node'],
    ['BIN', 'init.d/updyn', '/etc/init.d/updyn'],
    ['CONF', 'openwrt/files/updyn.config', '/etc/config/updyn'],
  ]);
});

test('`npm run source-tarball` makes the tarball PKG_HASH names, holding every file the Makefile uses', (t) => {
  const out = tempDir(t);
  const r = release(out);
  const bytes = readFileSync(r.tarball);
  const feed = readFileSync(r.makefile, 'utf8');
  const hash = createHash('sha256').update(bytes).digest('hex');
  assert.equal(variable(feed, 'PKG_HASH'), hash, 'the release Makefile names this tarball');
  assert.equal(feed.replace(/^PKG_HASH:=.*$/m, ''), mk.replace(/^PKG_HASH:=.*$/m, ''), 'and is openwrt/Makefile otherwise');
  assert.deepEqual(readFileSync(release(tempDir(t)).tarball), bytes, 'the same tree makes the same bytes');

  const top = `updyn-${pkg.version}`; // package.mk's default PKG_BUILD_DIR is $(PKG_NAME)-$(PKG_VERSION)
  const entries = readTarGz(bytes);
  const names = new Set(entries.map((e) => e.name.replace(/^\.\//, '')));
  for (const n of names) assert.ok(n === `${top}/` || n.startsWith(`${top}/`), `${n} under ${top}/`);
  const used = [...mk.matchAll(/\$\(PKG_BUILD_DIR\)\/(\S+)/g)].map((m) => m[1] as string).filter((f) => f !== 'netlink.node');
  const licenses = (variable(mk, 'PKG_LICENSE_FILES') ?? '').split(/\s+/);
  for (const f of [...new Set([...used, ...licenses])]) assert.ok(names.has(`${top}/${f}`) || names.has(`${top}/${f}/`), `the tarball holds ${f}`);
  const file = (n: string) => entries.find((e) => e.name.replace(/^\.\//, '') === `${top}/${n}`);
  assert.deepEqual(file('dist/updyn.js')?.data, readFileSync(join(repoRoot, 'dist/updyn.js')), 'the bundle as built');
  assert.match(file('addon/binding.cc')?.data.toString() ?? '', /ErrnoException\(obj->Env\(\), -status, "uv_poll", "error when polling socket"\)/, "with build/addon.mjs's fix");
  assert.equal((file('openwrt/files/updyn.config')?.mode ?? 0) & 0o777, 0o600);
});

test("the Makefile's compile recipe, run on the tarball with g++ as TARGET_CXX, makes an addon node loads", (t) => {
  const out = tempDir(t);
  const r = release(out);
  execFileSync('tar', ['-xzf', r.tarball, '-C', out]);
  const buildDir = join(out, `updyn-${pkg.version}`);
  const nodeInclude = join(process.execPath, '../../include/node');
  const vars: Record<string, string> = {
    TARGET_CXX: 'g++',
    TARGET_CPPFLAGS: '',
    TARGET_CXXFLAGS: '-O2',
    FPIC: '-fPIC',
    TARGET_LDFLAGS: '',
    PKG_BUILD_DIR: buildDir,
    UPDYN_NODE_INCLUDE: nodeInclude,
  };
  const recipe = block('Build/Compile')
    .replace(/\\\n\s*/g, ' ')
    .trim()
    .replace(/\$\((\w+)\)/g, (_m, v: string) => {
      assert.ok(v in vars, `the recipe uses $(${v}), which this check does not know`);
      return vars[v] as string;
    });
  const c = spawnSync('sh', ['-c', recipe], { encoding: 'utf8', timeout: 170_000 });
  assert.equal(c.status, 0, c.stderr);
  const load = spawnSync(process.execPath, ['-p', `Object.keys(require(${JSON.stringify(join(buildDir, 'netlink.node'))})).join()`], { encoding: 'utf8' });
  assert.equal(load.status, 0, load.stderr);
  assert.equal(load.stdout.trim(), 'NativeNetlink');
});
