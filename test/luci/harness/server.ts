// The harness web server on 127.0.0.1: the page shell, our stand-in LuCI
// classes (harness/www), the app's own views, and the fake /ubus endpoint.
// Like LuCI's dispatcher, it decides from the menu JSON and the session's ACL
// groups whether a view may be shown at all and whether it is read-only.
import { existsSync, readFileSync } from 'node:fs';
import { readPo } from './po';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { repoRoot } from '../../support/env';
import { type AclFile, FakeRpcd, type Perm } from './rpcd';

export const appDir = join(repoRoot, 'openwrt', 'luci-app-updyn');
export const wwwDir = join(repoRoot, 'test', 'luci', 'harness', 'www');
export const aclPath = join(appDir, 'root/usr/share/rpcd/acl.d/luci-app-updyn.json');
export const menuPath = join(appDir, 'root/usr/share/luci/menu.d/luci-app-updyn.json');
export const resourcesDir = join(appDir, 'htdocs/luci-static/resources');
export const viewsDir = join(resourcesDir, 'view');
export const poDir = join(appDir, 'po');

/** the page's language (po/LANG/updyn.po) and the theme's dark mode */
export interface Look {
  lang?: string;
  dark?: boolean;
}

type Menu = Record<string, { action?: { type: string; path?: string }; depends?: { acl?: string[] } }>;

export interface Harness {
  rpcd: FakeRpcd;
  /** the page URL showing `view` (e.g. "updyn/status") to a session holding `groups` */
  url(view: string, groups: Record<string, Perm[]>, look?: Look): string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const acl = JSON.parse(readFileSync(aclPath, 'utf8')) as AclFile;
  const menu = JSON.parse(readFileSync(menuPath, 'utf8')) as Menu;
  const rpcd = new FakeRpcd(acl);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/ubus') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(rpcd.handle(body));
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/cgi-bin/cgi-exec') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const r = rpcd.cgiExec(new URLSearchParams(body));
        res.writeHead(r.status, { 'Content-Type': 'application/octet-stream' });
        res.end(r.body);
      });
      return;
    }
    const file = staticFile(url.pathname);
    if (url.pathname === '/') {
      const look = { lang: url.searchParams.get('lang') ?? 'en', dark: url.searchParams.get('dark') === '1' };
      const page = shell(menu, rpcd, url.searchParams.get('view') ?? '', url.searchParams.get('sid') ?? '', look);
      res.writeHead(page.status, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page.html);
    } else if (file) {
      try {
        const text = readFileSync(file.path);
        res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' });
        res.end(text);
      } catch {
        res.writeHead(404).end();
      }
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    rpcd,
    url: (view, groups, look = {}) =>
      `${base}/?view=${encodeURIComponent(view)}&sid=${rpcd.session(groups)}&lang=${look.lang ?? 'en'}&dark=${look.dark ? 1 : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function staticFile(pathname: string): { path: string; type: string } | null {
  const rel = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  if (rel === '/harness.css') return { path: join(wwwDir, 'harness.css'), type: 'text/css' };
  const m = /^\/luci-static\/resources\/(.+\.js)$/.exec(rel);
  if (!m) return null;
  const name = m[1] as string;
  // the app's own files first (views, updyn/*), then our stand-in runtime
  const own = join(resourcesDir, name);
  return { path: existsSync(own) ? own : join(wwwDir, name), type: 'text/javascript' };
}

/** The dispatcher's check: every ACL group named on the path must be held; read-only unless one is writable. */
function nodespec(menu: Menu, rpcd: FakeRpcd, view: string, sid: string): { satisfied: boolean; readonly: boolean } | null {
  const entry = Object.entries(menu).find(([, n]) => n.action?.type === 'view' && n.action.path === view);
  if (!entry) return null;
  const parts = entry[0].split('/');
  const required = parts.flatMap((_, i) => menu[parts.slice(0, i + 1).join('/')]?.depends?.acl ?? []);
  const held = rpcd.groupsOf(sid);
  const satisfied = required.every((g) => (held[g] ?? []).length > 0);
  return { satisfied, readonly: !required.some((g) => held[g]?.includes('write')) };
}

function shell(menu: Menu, rpcd: FakeRpcd, view: string, sid: string, look: Look): { status: number; html: string } {
  const spec = nodespec(menu, rpcd, view, sid);
  if (!spec) return { status: 404, html: '<p>No menu entry shows this view.</p>' };
  if (!spec.satisfied) return { status: 403, html: '<p>No access to this view.</p>' };
  const env = JSON.stringify({ sessionid: sid, nodespec: spec, pollinterval: 5, cgi_base: '/cgi-bin', lang: look.lang });
  // LuCI's dispatcher hands the page the compiled catalog of the language; we read the .po itself
  const lang = look.lang ?? 'en';
  const tr = lang === 'en' ? {} : readPo(join(poDir, lang, 'updyn.po'));
  return {
    status: 200,
    html: `<!DOCTYPE html>
<html${look.dark ? ' data-darkmode="true"' : ''}><head><meta charset="utf-8"><title>updyn – LuCI harness</title>
<link rel="stylesheet" href="/harness.css">
<script src="/luci-static/resources/luci.js"></script></head>
<body><div id="maincontent"><div id="view"></div></div>
<script>
window.TR = ${JSON.stringify(tr).replace(/</g, '\\u003c')};
L = new LuCI(${env});
L.Poll.start();
L.require('ui').then(function(ui) { ui.instantiateView(${JSON.stringify(view)}); });
</script></body></html>`,
  };
}
