// The rpcd ACL and the LuCI menu checked against what the views' sources ask
// for: every fs/rpc/uci use is read from the code, turned into the grant rpcd
// would check (file.c, uci.c, uhttpd's ubus check), and compared both ways.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROTOCOLS, PROVIDERS, presetNames } from '../../src/providers';
import { protocols } from './protocols';
import { fnmatch, isGlob } from './harness/fnmatch';
import { type AclFile, BASE_ACL, type Perm, canonical, grantsOf } from './harness/rpcd';
import { aclPath, appDir, menuPath, resourcesDir, viewsDir } from './harness/server';

interface Need {
  scope: string;
  object: string;
  fn: string;
  perm: Perm;
}

const acl = JSON.parse(readFileSync(aclPath, 'utf8')) as AclFile;
const menu = JSON.parse(readFileSync(menuPath, 'utf8')) as Record<string, { action?: { type: string; path?: string }; depends?: { acl?: string[] } }>;
const views = readdirSync(join(viewsDir, 'updyn')).map((f) => `updyn/${f.replace(/\.js$/, '')}`);
/** every JavaScript file of the app that may call rpcd, with the menu view whose ACL groups it runs under */
const sources: [string, string][] = [
  ...views.map((v) => [join(viewsDir, `${v}.js`), v] as [string, string]),
  [join(resourcesDir, 'updyn/status.js'), 'updyn/status'],
  [join(viewsDir, 'status/include/75_updyn.js'), 'updyn/status'],
];
const key = (n: Need) => `${n.perm} ${n.scope} ${n.object} ${n.fn}`;
// ubus methods that change something: they belong under "write"
const WRITES = new Set(['rc.init']);

/** Every grant a file needs, read from its source; throws on a call it cannot pin down. */
function needsOf(file: string): Need[] {
  const src = readFileSync(file, 'utf8');
  const consts = new Map([...src.matchAll(/\b([A-Z][A-Z0-9_]*)\s*=\s*('[^']*'|\[[^\]]*\])/g)].map((m) => [m[1] as string, m[2] as string]));
  const literal = (arg: string): string[] => {
    const a = (consts.get(arg.trim()) ?? arg).trim();
    if (/^'[^']*'$/.test(a)) return [a.slice(1, -1)];
    if (/^\[[^\]]*\]$/.test(a)) return a.slice(1, -1).split(',').filter((x) => x.trim() !== '').flatMap(literal);
    throw new Error(`${file}: "${arg}" is not a literal, so the ACL cannot be checked against it`);
  };
  const needs: Need[] = [];
  for (const m of src.matchAll(/\bfs\.(\w+)\(([^)]*)\)/g)) {
    const [, method, args] = m as unknown as [string, string, string];
    const parts = /^\s*('[^']*'|[A-Z_]+)\s*(?:,\s*(\[[^\]]*\]|[A-Z_]+))?\s*(?:,\s*'\w+')?\s*$/.exec(args);
    if (!parts) throw new Error(`${file}: cannot read the arguments of fs.${method}(${args})`);
    const line = [...literal(parts[1] as string), ...(parts[2] ? literal(parts[2]) : [])].join(' ');
    if (method === 'read') needs.push({ scope: 'file', object: line, fn: 'read', perm: 'read' }, { scope: 'ubus', object: 'file', fn: 'read', perm: 'read' });
    else if (method === 'exec') needs.push({ scope: 'file', object: line, fn: 'exec', perm: 'write' }, { scope: 'ubus', object: 'file', fn: 'exec', perm: 'write' });
    // cgi-io main.c: "cgi-io" "exec" with read, then "exec" on the command line
    else if (method === 'exec_direct') needs.push({ scope: 'cgi-io', object: 'exec', fn: 'read', perm: 'read' }, { scope: 'file', object: line, fn: 'exec', perm: 'read' });
    else throw new Error(`${file}: fs.${method} is not covered by this check`);
  }
  for (const m of src.matchAll(/rpc\.declare\(\{([\s\S]*?)\}\)/g)) {
    const body = m[1] as string;
    const object = /object:\s*'([^']+)'/.exec(body)?.[1];
    const method = /method:\s*'([^']+)'/.exec(body)?.[1];
    if (!object || !method) throw new Error(`${file}: rpc.declare without literal object and method`);
    needs.push({ scope: 'ubus', object, fn: method, perm: WRITES.has(`${object}.${method}`) ? 'write' : 'read' });
  }
  for (const m of src.matchAll(/new form\.Map\(\s*([^,)]+)/g)) {
    const config = literal(m[1] as string)[0] as string;
    needs.push({ scope: 'uci', object: config, fn: 'read', perm: 'read' }, { scope: 'uci', object: config, fn: 'write', perm: 'write' });
    // what form.Map and uci.js call on ubus; luci-base grants these to every LuCI user
    for (const fn of ['get', 'changes']) needs.push({ scope: 'ubus', object: 'uci', fn, perm: 'read' });
    for (const fn of ['add', 'set', 'delete', 'apply', 'confirm']) needs.push({ scope: 'ubus', object: 'uci', fn, perm: 'write' });
    needs.push({ scope: 'ubus', object: 'session', fn: 'access', perm: 'read' });
  }
  if (/\buci\.\w+\(/.test(src) || /'require uci'/.test(src)) throw new Error(`${file}: direct uci use is not covered by this check`);
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
  for (const [file, view] of sources) {
    const groups = groupsOf(view);
    const ours = grantsOf(Object.fromEntries(groups.map((g) => [g, acl[g] ?? {}])));
    const base = grantsOf(BASE_ACL);
    for (const n of needsOf(file)) {
      const from = (n.scope === 'ubus' && (n.object === 'uci' || n.object === 'session')) ? base : ours;
      const granted = from.filter((g) => g.scope === n.scope && g.object === n.object && g.fn === n.fn);
      assert.ok(granted.length > 0, `${file} needs ${key(n)}`);
      assert.ok(granted.some((g) => g.perm === n.perm), `${file}: ${n.scope} ${n.object} ${n.fn} belongs under "${n.perm}"`);
    }
  }
});

test('the ACL grants nothing the views do not call', () => {
  const needed = new Set(sources.flatMap(([f]) => needsOf(f)).map(key));
  const extra = grantsOf(acl).filter((g) => !needed.has(key({ ...g })));
  assert.deepEqual(extra, []);
});

test('service control is rc list (read) and rc init (write) only; the log is exactly logread -e updyn', () => {
  const g = grantsOf(acl).filter((x) => x.scope === 'ubus' && x.object === 'rc');
  assert.deepEqual(g.map((x) => `${x.perm} ${x.fn}`).sort(), ['read list', 'write init']);
  const files = grantsOf(acl).filter((x) => x.scope === 'file').map((x) => `${x.perm} ${x.object} ${x.fn}`).sort();
  assert.deepEqual(files, ['read /sbin/logread -e updyn exec', 'read /usr/bin/updyn status --json exec',
    'write /etc/init.d/updyn check exec', 'write /etc/init.d/updyn update exec']);
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
  assert.deepEqual(views.sort(), ['updyn/log', 'updyn/settings', 'updyn/status']);
  for (const group of Object.values(acl)) assert.ok(group.description);
});

test('protocols.js says what src/providers says: defaults, own options with their defaults, presets with every field', () => {
  for (const spec of PROVIDERS) {
    const p = protocols.find((x) => x.name === spec.protocol);
    assert.ok(p, spec.protocol);
    assert.deepEqual(p.defaults, spec.defaults, spec.protocol);
    // the form may show a shared option the protocol gives its own meaning (nsupdate's dns_server) among its own
    const own = p.options.filter((o) => !spec.uses?.includes(o.name as never));
    assert.deepEqual(own.map((o) => [o.name, o.default]).sort(), (spec.options ?? []).map((o) => [o.name, o.default]).sort(), spec.protocol);
    assert.deepEqual(p.presets.map((x) => x.name).sort(), presetNames(spec.protocol), spec.protocol);
    for (const { name, ...fields } of p.presets) assert.deepEqual(fields, spec.presets?.[name], `${spec.protocol} ${name}`);
  }
});

test('protocols.js lists exactly the daemon\'s protocols, in the documented shape', () => {
  assert.deepEqual(protocols.map((p) => p.name), [...PROTOCOLS]);
  for (const p of protocols) {
    assert.ok(p.title && Array.isArray(p.options) && Array.isArray(p.presets), p.name);
    for (const c of ['username', 'password', 'update_url', 'auth'] as const) {
      const u = p.uses[c];
      assert.ok(u === false || (u.title !== '' && u.help !== ''), `${p.name}.${c}`);
    }
    for (const o of p.options) {
      assert.ok(['string', 'integer', 'boolean', 'list', 'select'].includes(o.type), `${p.name}.${o.name}`);
      assert.ok(o.title && o.help, `${p.name}.${o.name} has a title and a help text`);
    }
  }
});

test('the package is a LuCI feed application depending on updyn', () => {
  const mk = readFileSync(join(appDir, 'Makefile'), 'utf8');
  assert.match(mk, /^LUCI_TITLE:=.+$/m);
  assert.match(mk, /^LUCI_DEPENDS:=.*\+updyn\b/m);
  assert.match(mk, /^include \.\.\/\.\.\/luci\.mk$/m);
  assert.match(mk, /^PKG_MAINTAINER:=.+<.+@.+>$/m);
  assert.match(mk, /^PKG_LICENSE:=MIT$/m);
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
