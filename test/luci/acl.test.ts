// The rpcd ACL and the LuCI menu checked against what the views' sources ask
// for: every fs/rpc/uci use is read from the code, turned into the grant rpcd
// would check (file.c, uci.c, uhttpd's ubus check), and compared both ways.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { presetNames } from '../../src/providers';
import { fnmatch, isGlob } from './harness/fnmatch';
import { type AclFile, BASE_ACL, type Perm, canonical, grantsOf } from './harness/rpcd';
import { aclPath, appDir, menuPath, pluginPath, viewsDir } from './harness/server';

interface Need {
  scope: string;
  object: string;
  fn: string;
  perm: Perm;
}

const acl = JSON.parse(readFileSync(aclPath, 'utf8')) as AclFile;
const menu = JSON.parse(readFileSync(menuPath, 'utf8')) as Record<string, { action?: { type: string; path?: string }; depends?: { acl?: string[] } }>;
const views = readdirSync(join(viewsDir, 'updyn')).map((f) => `updyn/${f.replace(/\.js$/, '')}`);
const source = (view: string) => readFileSync(join(viewsDir, `${view}.js`), 'utf8');
const key = (n: Need) => `${n.perm} ${n.scope} ${n.object} ${n.fn}`;

// fs method -> [file permission rpcd checks, ubus method, ACL permission the action belongs under]
const FS: Record<string, [string, string, Perm]> = {
  read: ['read', 'read', 'read'], trimmed: ['read', 'read', 'read'], lines: ['read', 'read', 'read'],
  stat: ['list', 'stat', 'read'], list: ['list', 'list', 'read'],
  write: ['write', 'write', 'write'], remove: ['write', 'remove', 'write'], exec: ['exec', 'exec', 'write'],
};

/** Every grant a view needs, read from its source; throws on a call it cannot pin down. */
function needsOf(view: string): Need[] {
  const src = source(view);
  const consts = new Map([...src.matchAll(/\b([A-Z][A-Z0-9_]*)\s*=\s*'([^']*)'/g)].map((m) => [m[1] as string, m[2] as string]));
  const literal = (arg: string) => {
    const a = arg.trim();
    const m = /^'([^']*)'$/.exec(a);
    const v = m ? m[1] : consts.get(a);
    if (v === undefined) throw new Error(`${view}: "${a}" is not a literal, so the ACL cannot be checked against it`);
    return v;
  };
  const needs: Need[] = [];
  for (const m of src.matchAll(/\bfs\.(\w+)\(([^)]*)\)/g)) {
    const [, method, args] = m as unknown as [string, string, string];
    const how = FS[method];
    if (!how) throw new Error(`${view}: fs.${method} is not covered by this check`);
    const list = /^([^,]+)(?:,\s*\[([^\]]*)\])?\s*$/.exec(args);
    if (!list) throw new Error(`${view}: cannot read the arguments of fs.${method}(${args})`);
    const path = [literal(list[1] as string), ...(list[2] ? list[2].split(',').map(literal) : [])].join(' ');
    needs.push({ scope: 'file', object: path, fn: how[0], perm: how[2] }, { scope: 'ubus', object: 'file', fn: how[1], perm: how[2] });
  }
  for (const m of src.matchAll(/rpc\.declare\(\{([\s\S]*?)\}\)/g)) {
    const body = m[1] as string;
    const object = /object:\s*'([^']+)'/.exec(body)?.[1];
    const method = /method:\s*'([^']+)'/.exec(body)?.[1];
    if (!object || !method) throw new Error(`${view}: rpc.declare without literal object and method`);
    needs.push({ scope: 'ubus', object, fn: method, perm: 'read' });
  }
  for (const m of src.matchAll(/new form\.Map\(\s*([^,)]+)/g)) {
    const config = literal(m[1] as string);
    needs.push({ scope: 'uci', object: config, fn: 'read', perm: 'read' }, { scope: 'uci', object: config, fn: 'write', perm: 'write' });
    // what form.Map and uci.js call on ubus; luci-base grants these to every LuCI user
    for (const fn of ['get', 'changes']) needs.push({ scope: 'ubus', object: 'uci', fn, perm: 'read' });
    for (const fn of ['add', 'set', 'delete', 'apply', 'confirm']) needs.push({ scope: 'ubus', object: 'uci', fn, perm: 'write' });
    needs.push({ scope: 'ubus', object: 'session', fn: 'access', perm: 'read' });
  }
  if (/\buci\.\w+\(/.test(src) || /'require uci'/.test(src)) throw new Error(`${view}: direct uci use is not covered by this check`);
  return needs;
}

/** The ACL groups LuCI's dispatcher requires on the menu path of a view. */
function groupsOf(view: string): string[] {
  const entry = Object.keys(menu).find((p) => menu[p]?.action?.path === view);
  assert.ok(entry, `${view} has a menu entry`);
  const parts = entry.split('/');
  return parts.flatMap((_, i) => menu[parts.slice(0, i + 1).join('/')]?.depends?.acl ?? []);
}

test('the ACL grants every call each view makes, to the groups its menu entry requires, under the right permission', () => {
  for (const view of views) {
    const groups = groupsOf(view);
    const ours = grantsOf(Object.fromEntries(groups.map((g) => [g, acl[g] ?? {}])));
    const base = grantsOf(BASE_ACL);
    for (const n of needsOf(view)) {
      const from = (n.scope === 'ubus' && (n.object === 'uci' || n.object === 'session')) ? base : ours;
      const granted = from.filter((g) => g.scope === n.scope && g.object === n.object && g.fn === n.fn);
      assert.ok(granted.length > 0, `${view} needs ${key(n)}`);
      assert.ok(granted.some((g) => g.perm === n.perm), `${view}: ${n.scope} ${n.object} ${n.fn} belongs under "${n.perm}"`);
    }
  }
});

test('the ACL grants nothing the views do not call', () => {
  const needed = new Set(views.flatMap(needsOf).map(key));
  const extra = grantsOf(acl).filter((g) => !needed.has(key({ ...g })));
  assert.deepEqual(extra, []);
});

test('every grant names one file, one command line or one method: no pattern', () => {
  for (const g of grantsOf(acl)) assert.ok(!isGlob(g.object) && !isGlob(g.fn), `${g.group}: ${g.scope} ${g.object} ${g.fn}`);
});

test('the status group never reaches the configuration, where the tokens are', () => {
  const status = grantsOf({ s: acl['luci-app-updyn-status'] ?? {} });
  assert.ok(status.length > 0);
  assert.deepEqual(status.filter((g) => g.scope === 'uci' || /\/etc\/config|\/var\/run\/uci/.test(g.object) || g.object === 'uci'), []);
  assert.deepEqual(groupsOf('updyn/status'), ['luci-app-updyn-status']);
  assert.deepEqual(groupsOf('updyn/settings'), ['luci-app-updyn-status', 'luci-app-updyn']);
});

test('the menu points at views that exist and at ACL groups that exist', () => {
  for (const [path, node] of Object.entries(menu)) {
    assert.match(path, /^admin\/services\/updyn(\/\w+)?$/);
    if (node.action?.type === 'view') assert.ok(statSync(join(viewsDir, `${node.action.path}.js`)).isFile(), path);
    for (const g of node.depends?.acl ?? []) assert.ok(acl[g], `${path} depends on ACL group ${g}`);
  }
  assert.deepEqual(views.sort(), ['updyn/settings', 'updyn/status']);
  for (const group of Object.values(acl)) assert.ok(group.description);
});

test('the exec plugin offers exactly the methods the ACL grants on luci.updyn', () => {
  const r = spawnSync('/bin/sh', [pluginPath, 'list'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  const methods = Object.keys(JSON.parse(r.stdout) as object);
  assert.deepEqual(grantsOf(acl).filter((g) => g.object === 'luci.updyn').map((g) => g.fn), methods);
  assert.equal(statSync(pluginPath).mode & 0o111, 0o111, 'rpcd runs the plugin directly: it must be executable');
});

test('the settings offer every dyndns2 provider the daemon knows', () => {
  const list = /DYNDNS2_PRESETS = \[([^\]]*)\]/.exec(source('updyn/settings'));
  assert.ok(list);
  assert.deepEqual([...(list[1] as string).matchAll(/'([^']+)'/g)].map((m) => m[1]), presetNames('dyndns2'));
});

test('the package is a LuCI feed application depending on updyn', () => {
  const mk = readFileSync(join(appDir, 'Makefile'), 'utf8');
  assert.match(mk, /^LUCI_TITLE:=.+$/m);
  assert.match(mk, /^LUCI_DEPENDS:=.*\+updyn\b/m);
  assert.match(mk, /^include \$\(TOPDIR\)\/feeds\/luci\/luci\.mk$/m);
  assert.match(mk, /^# call BuildPackage - OpenWrt buildroot signature$/m);
});

test('the stand-in rpcd matches ACL entries and paths as rpcd does', () => {
  // fnmatch(pattern, path, FNM_NOESCAPE): "*" crosses "/", brackets and "?" as in glob(7)
  const cases: [string, string, boolean][] = [
    ['/etc/init.d/updyn check', '/etc/init.d/updyn check', true], ['/etc/init.d/updyn check', '/etc/init.d/updyn', false],
    ['/etc/init.d/updyn *', '/etc/init.d/updyn stop', true], ['/proc/*', '/proc/1/root/etc/shadow', true],
    ['/proc/[0-9]*', '/proc/self', false], ['/proc/[!0-9]*', '/proc/self', true], ['fil?', 'file', true], ['a\\b', 'a\\b', true],
  ];
  for (const [p, t, want] of cases) assert.equal(fnmatch(p, t), want, `${p} ~ ${t}`);
  assert.equal(canonical('/var/run//updyn/./x/../status.json/'), '/var/run/updyn/status.json');
});
