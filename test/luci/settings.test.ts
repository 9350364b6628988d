// The settings page in headless Chromium against the harness: the services
// grid with its modal editor and inline switch, every protocol's fields as
// protocols.js lists them, a help text for every field, the limits of the
// schema, where the token may appear, and what a save sends to rpcd.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { LIMITS } from '../../src/config/schema';
import { type Chromium, type Opened, openView, screenshots, skipWithout } from './harness/browser';
import { browserSession } from './harness/session';
import { cells, holders } from './harness/read';
import type { Perm } from './harness/rpcd';
import { TOKEN, uciFixture } from './fixtures';
import { protocols } from './protocols';

const ADMIN: Record<string, Perm[]> = { 'luci-app-updyn-status': ['read', 'write'], 'luci-app-updyn': ['read', 'write'] };
const q = JSON.stringify;

const s = browserSession((h) => {
  h.rpcd.uci = uciFixture();
});

async function show(groups = ADMIN, look = {}): Promise<Opened> {
  const o = await openView(s.c as Chromium, s.h, 'updyn/settings', groups, undefined, look);
  s.opened.push(o.page);
  assert.deepEqual(o.errors, []);
  return o;
}

const js = <T>(page: Page, code: string) => page.evaluate(code) as Promise<T>;
const MODAL = 'body.modal-overlay-active #modal_overlay .modal.cbi-modal';
const field = (sid: string, option: string) => `document.getElementById(${q(`widget.cbid.updyn.${sid}.${option}`)})`;
const uciCalls = (method: string) => s.h.rpcd.calls.filter((x) => x.object === 'uci' && x.method === method).map((x) => x.args);
/** the options shown (not hidden) in the open modal, by data-name */
const shownInModal = (page: Page) =>
  js<string[]>(page, `Array.from(document.querySelectorAll('${MODAL} .cbi-value:not(.hidden)'), e => e.getAttribute('data-name'))`);
const accepts = (page: Page, sid: string, option: string, value: string) =>
  js<boolean>(page, `(f => { f.value = ${q(value)}; f.dispatchEvent(new Event('blur')); return !f.classList.contains('cbi-input-invalid') })(${field(sid, option)})`);
const choose = (page: Page, sid: string, option: string, value: string) =>
  js<void>(page, `(f => { f.value = ${q(value)}; f.dispatchEvent(new Event('change')) })(${field(sid, option)})`);
async function edit(page: Page, sid: string): Promise<void> {
  await page.click(`tr[data-sid="${sid}"] .cbi-button-edit`);
  await page.waitForSelector(MODAL);
}
async function modalTab(page: Page, name: string): Promise<void> {
  await page.click(`${MODAL} .cbi-tabmenu li[data-tab="${name}"] a`);
}

test('services are a grid: name, an Enabled switch, provider and names, with Edit and Delete; the global section has no Delete', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  assert.deepEqual(await cells(page, 'table.cbi-section-table tr'), [
    ['Name', 'Enabled', 'Provider', 'Names', ''],
    ['home', '', 'Zerigo', 'home.example.com, www.example.com alt.example.com', 'Edit Delete'],
    ['cfg03a1b2', '', 'DynDNS-compatible (No-IP, deSEC, Dynu, …) (dyn.com)', 'office.example.org', 'Edit Delete'],
  ]);
  assert.deepEqual(await js(page, `Array.from(document.querySelectorAll('table.cbi-section-table input[type=checkbox]'), c => c.checked)`), [true, false]);
  assert.equal(await js(page, `document.querySelectorAll('#cbi-updyn-global button, .cbi-section-remove').length`), 0);
  await page.screenshot({ path: join(screenshots, 'settings.png') });
  const dark = await show(ADMIN, { dark: true });
  await dark.page.screenshot({ path: join(screenshots, 'settings-dark.png') });
});

test('the Enabled switch in the grid is saved by the page\'s Save, and nothing else is written', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  await page.click('tr[data-sid="cfg03a1b2"] input[type=checkbox]');
  await page.click('.cbi-page-actions .cbi-button-save');
  await page.waitForFunction(`document.querySelectorAll('table.cbi-section-table input[type=checkbox]')[1]?.checked === true`);
  assert.deepEqual(uciCalls('set').filter((c) => c.section !== 'global'), [
    // "yes" is written back as the "1" it means
    { config: 'updyn', section: 'home', values: { enabled: '1' } },
    { config: 'updyn', section: 'cfg03a1b2', values: { enabled: '1' } },
  ]);
  assert.equal(s.h.rpcd.uci.updyn?.home?.password, TOKEN);
});

test('editing in the modal round-trips: saved values come back when it is opened again', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  await edit(page, 'home');
  assert.equal(await js(page, `document.querySelector('${MODAL} h4').innerText`), 'Dynamic DNS (updyn) - home');
  await modalTab(page, 'advanced');
  await page.fill(`[id="widget.cbid.updyn.home.timeout"]`, '20');
  await modalTab(page, 'general');
  await page.fill(`[id="widget.cbid.updyn.home.host"]`, 'new.example.com');
  await page.click(`${MODAL} [id="cbid.updyn.home.host"] .cbi-button-add`);
  await page.screenshot({ path: join(screenshots, 'settings-modal.png') });
  await page.click(`${MODAL} .cbi-button-positive`);
  await page.waitForFunction(`!document.body.classList.contains('modal-overlay-active')`);
  const set = uciCalls('set').find((c) => c.section === 'home');
  assert.deepEqual((set?.values as Record<string, unknown>).timeout, '20');
  assert.deepEqual((set?.values as Record<string, unknown>).host, ['home.example.com', 'www.example.com', 'alt.example.com', 'new.example.com']);
  assert.equal(s.h.rpcd.uci.updyn?.home?.password, TOKEN);
  assert.deepEqual(uciCalls('add'), []);
  // the grid shows the new name, and the modal the saved values
  assert.match((await cells(page, 'table.cbi-section-table tr'))[1]?.[3] ?? '', /new\.example\.com/);
  await edit(page, 'home');
  assert.equal(await js(page, `${field('home', 'timeout')}.value`), '20');
  assert.deepEqual(await js(page, `Array.from(document.querySelectorAll('${MODAL} [id="cbid.updyn.home.host"] .item'), i => i.dataset.value)`),
    ['home.example.com', 'www.example.com', 'alt.example.com', 'new.example.com']);
});

test('each protocol shows exactly its own fields, from protocols.js, each with a help text', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  await edit(page, 'home');
  for (const p of protocols) {
    await choose(page, 'home', 'protocol', p.name);
    const general = (await shownInModal(page)).filter((n) => n !== null);
    const want = ['enabled', 'protocol', ...(p.presets.length ? [`service_name_${p.name}`] : []),
      ...(['update_url', 'username', 'password'] as const).filter((c) => p.uses[c]).map((c) => `${c}_${p.name}`),
      'host', ...p.options.map((o) => `${o.name}_${p.name}`), ...(p.uses.auth ? [`auth_${p.name}`] : [])];
    assert.deepEqual(general.filter((n) => !GENERIC.includes(n)).sort(), want.sort(), p.name);
    // a help text under every field shown
    assert.deepEqual(await js(page, `Array.from(document.querySelectorAll('${MODAL} .cbi-value:not(.hidden)')).filter(e => !e.querySelector('.cbi-value-description')).map(e => e.dataset.name)`), [], p.name);
    // the protocol's own words for the common fields
    if (p.uses.password) assert.equal(await js(page, `document.querySelector('${MODAL} [data-name="password_${p.name}"] label').innerText`), p.uses.password.title);
  }
});

/** the fields every protocol has (address and advanced tabs) */
const GENERIC = ['interface', 'device', 'ipv4', 'ipv6', 'ip_source', 'checkip_url', 'checkip4_url', 'checkip6_url',
  'check_interval', 'force_interval', 'timeout', 'verify_dns', 'cacert', 'dns_server'];

test('the password sits in an <input type="password"> and nowhere else on the page', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  assert.deepEqual(await holders(page, TOKEN), []);
  await edit(page, 'home');
  const id = 'widget.cbid.updyn.home.password_zerigo';
  await page.waitForFunction(`document.getElementById(${q(id)}).type === 'password'`);
  // one field per protocol holds the same uci option; every one is a password input of this service
  const held = await holders(page, TOKEN);
  assert.ok(held.includes(`input[password]#${id}`));
  assert.deepEqual(held.filter((h) => !/^input\[password\]#widget\.cbid\.updyn\.home\.password_\w+$/.test(h)), []);
  assert.ok(!(await js<string>(page, 'document.body.innerText')).includes(TOKEN));
});

test('a value the daemon would refuse is refused by the form', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  await edit(page, 'home');
  for (const [o, l] of Object.entries(LIMITS)) {
    assert.deepEqual(await Promise.all([l.min - 1, l.min, l.max, l.max + 1, `${l.min}.5`].map((v) => accepts(page, 'home', o, String(v)))),
      [false, true, true, false, false], o);
  }
  const cases: [string, string, boolean][] = [
    ['host', 'host.example.com', true], ['host', 'localhost', false], ['host', 'a_b.example.com', false],
    ['update_url_zerigo', 'https://dyn.example.com/update', true], ['update_url_zerigo', 'ftp://dyn.example.com/', false],
    ['update_url_custom', 'https://[DOMAIN]/?ip=[IP]&p=[PASSWORD]', true], ['update_url_custom', 'http://x y/', false],
    ['checkip4_url', 'http://checkip.example.com/', true], ['checkip6_url', 'checkip.example.com', false],
    ['dns_server_nsupdate', '192.0.2.53:5353', true], ['dns_server_nsupdate', '[2001:db8::53]:53', true], ['dns_server_nsupdate', '192.0.2.53:99999', false],
    ['cacert', '/etc/ssl/ca.pem', true], ['cacert', 'ca.pem', false],
    ['success_pattern_custom', '^good', true], ['success_pattern_custom', '(', false],
    ['ttl_cloudflare', '120', true], ['ttl_cloudflare', 'soon', false],
  ];
  for (const [o, v, ok] of cases) assert.equal(await accepts(page, 'home', o, v), ok, `${o} = ${v}`);
});

test('a new service gets the name typed for it, through the modal; dismissing it adds nothing', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  await page.fill('.cbi-section-create-name', 'spare');
  await page.click('.cbi-section-create .cbi-button-add');
  await page.waitForSelector(MODAL);
  await page.click(`${MODAL} .right .cbi-button:not(.cbi-button-positive)`);
  await page.waitForFunction(`!document.body.classList.contains('modal-overlay-active')`);
  assert.deepEqual(uciCalls('add'), []);

  await page.fill('.cbi-section-create-name', 'backup');
  await page.click('.cbi-section-create .cbi-button-add');
  await page.waitForSelector(MODAL);
  await choose(page, 'backup', 'protocol', 'dyndns2');
  await choose(page, 'backup', 'service_name_dyndns2', 'no-ip.com');
  await page.fill(`[id="widget.cbid.updyn.backup.username_dyndns2"]`, 'me');
  await page.click(`${MODAL} .cbi-button-positive`);
  await page.waitForSelector('tr[data-sid="backup"]');
  const add = uciCalls('add')[0] as { name: string; type: string; values: Record<string, unknown> };
  assert.equal(add.name, 'backup');
  assert.equal(add.type, 'service');
  assert.deepEqual({ protocol: add.values.protocol, service_name: add.values.service_name, username: add.values.username, enabled: add.values.enabled },
    { protocol: 'dyndns2', service_name: 'no-ip.com', username: 'me', enabled: '0' });
});

test('the interface is chosen from the router\'s networks; without them a configured one is kept', async (t) => {
  if (!skipWithout(t, s.c)) return;
  let { page } = await show();
  await edit(page, 'home');
  assert.deepEqual(await js(page, `Array.from(${field('home', 'interface')}.options, o => o.value)`), ['', 'lan', 'wan', 'wan6', '\u0000create']);
  assert.equal(await js(page, `${field('home', 'interface')}.value`), 'wan');
  assert.deepEqual(await js(page, `Array.from(${field('home', 'device')}.options, o => o.value)`), ['', 'br-lan', 'eth0', 'eth1', 'pppoe-wan', '\u0000create']);
  ({ page } = await show({ ...ADMIN, 'luci-base-network-status': [] }));
  await edit(page, 'home');
  assert.equal(await js(page, `document.getElementById('cbid.updyn.home.interface') && L.dom.callClassMethod(document.getElementById('cbid.updyn.home.interface'), 'getValue')`), 'wan');
});

test('a user who may read the configuration but not change it gets a read-only grid and modal', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show({ 'luci-app-updyn-status': ['read'], 'luci-app-updyn': ['read'] });
  const enabled = () => js<string[]>(page, `Array.from(document.querySelectorAll('#view input, #view select, #view button, ${MODAL} input, ${MODAL} select, ${MODAL} button'))
    .filter(e => !e.disabled && !e.closest('.cbi-tabmenu') && !e.matches('.cbi-button-edit') && e.innerText != 'Dismiss').map(e => e.outerHTML)`);
  assert.deepEqual(await enabled(), []);
  await edit(page, 'home');
  assert.deepEqual(await enabled(), []);
});

test('a user who may only look at the status cannot open the settings', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const page = await (await (s.c as Chromium).browser.newContext()).newPage();
  s.opened.push(page);
  const res = await page.goto(s.h.url('updyn/settings', { 'luci-app-updyn-status': ['read', 'write'] }));
  assert.equal(res?.status(), 403);
  assert.deepEqual(s.h.rpcd.calls, []);
});
