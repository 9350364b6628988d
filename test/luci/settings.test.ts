// The settings page in headless Chromium against the harness: every option of
// the schema, its default and its limits, where the token may appear, and
// what a save sends to rpcd.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { GLOBAL_DEFAULTS, LIMITS, SERVICE_OPTIONS } from '../../src/config/schema';
import { type Chromium, type Opened, openView, screenshots, skipWithout } from './harness/browser';
import { browserSession } from './harness/session';
import { holders } from './harness/read';
import type { Perm } from './harness/rpcd';
import { TOKEN, uciFixture } from './fixtures';

const ADMIN: Record<string, Perm[]> = { 'luci-app-updyn-status': ['read', 'write'], 'luci-app-updyn': ['read', 'write'] };
const q = JSON.stringify;

const s = browserSession((h) => {
  s.h.rpcd.uci = uciFixture();
});

async function show(groups = ADMIN): Promise<Opened> {
  const o = await openView(s.c as Chromium, s.h, 'updyn/settings', groups);
  s.opened.push(o.page);
  assert.deepEqual(o.errors, []);
  return o;
}

const widget = (sid: string, option: string) => `widget.cbid.updyn.${sid}.${option}`;
const js = <T>(page: Page, code: string) => page.evaluate(code) as Promise<T>;
const field = (id: string) => `document.getElementById(${q(id)})`;
const names = (page: Page, sid: string) =>
  js<string[]>(page, `Array.from(document.querySelectorAll('[data-section-id=${q(sid)}] .cbi-value'), e => e.getAttribute('data-name'))`);
const hidden = (page: Page, sid: string, option: string) => js<boolean>(page, `${field(`cbi-updyn-${sid}-${option}`)}.classList.contains('hidden')`);
/** types `value` into a field (shown or not) and reports whether the form accepts it */
const accepts = (page: Page, sid: string, option: string, value: string) =>
  js<boolean>(page, `(f => { f.value = ${q(value)}; f.dispatchEvent(new Event('blur')); return !f.classList.contains('cbi-input-invalid') })(${field(widget(sid, option))})`);
const choose = (page: Page, sid: string, option: string, value: string) =>
  js<void>(page, `(f => { f.value = ${q(value)}; f.dispatchEvent(new Event('change')) })(${field(widget(sid, option))})`);
const tab = (page: Page, sid: string, name: string) => page.click(`[id="cbi-updyn-${sid}"] .cbi-tabmenu li[data-tab="${name}"] a`);
const uciCalls = (method: string) => s.h.rpcd.calls.filter((x) => x.object === 'uci' && x.method === method).map((x) => x.args);

test('every option of the schema is on the form, in every service', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  assert.deepEqual(await names(page, 'global'), Object.keys(GLOBAL_DEFAULTS));
  const want = SERVICE_OPTIONS.filter((o) => o !== 'name').sort();
  assert.deepEqual((await names(page, 'home')).sort(), want);
  assert.deepEqual((await names(page, 'cfg03a1b2')).sort(), want);
});

test('the password sits in an <input type="password"> and nowhere else on the page', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  const id = widget('home', 'password');
  await page.waitForFunction(`${field(id)}.type === 'password'`);
  assert.equal(await js(page, `${field(id)}.value`), TOKEN);
  assert.deepEqual(await holders(page, TOKEN), [`input[password]#${id}`]);
  assert.ok(!(await js<string>(page, 'document.body.innerText')).includes(TOKEN));
  await page.screenshot({ path: join(screenshots, 'settings.png') });
});

test('the form reads values and defaults as the daemon does', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  const checked = (sid: string, o: string) => js<boolean>(page, `document.querySelector('[data-widget-id=${q(widget(sid, o))}]').checked`);
  // "yes" is true to the daemon; ipv4/ipv6 default on, enabled and verify_dns off
  assert.deepEqual(await Promise.all(['enabled', 'ipv4', 'ipv6', 'verify_dns'].map((o) => checked('home', o))), [true, true, true, false]);
  assert.equal(await checked('cfg03a1b2', 'enabled'), false);
  assert.equal(await js(page, `${field(widget('home', 'check_interval'))}.value`), '600');
  for (const [o, def] of Object.entries(LIMITS)) {
    assert.equal(await js(page, `${field(widget('home', o))}.placeholder`), String(def.def), o);
  }
  // a list item holding two names is two names, as the daemon reads it
  assert.deepEqual(await js(page, `Array.from(document.querySelectorAll('[id="cbid.updyn.home.host"] .item'), i => i.dataset.value)`),
    ['home.example.com', 'www.example.com', 'alt.example.com']);
  assert.equal(await js(page, `${field(widget('home', 'interface'))}.value`), 'wan');
  assert.deepEqual(await js(page, `Array.from(document.querySelectorAll('[id="dl-cbid.updyn.home.interface"] option'), o => o.value)`),
    ['lan', 'wan', 'wan6']);
  assert.equal(await js(page, `${field(widget('global', 'log_format'))}.value`), 'text');
  assert.equal(await js(page, `${field(widget('cfg03a1b2', 'service_name'))}.value`), 'dyn.com');
});

test('an option is shown only where it applies', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  const shown = async () => ({
    service_name: !(await hidden(page, 'home', 'service_name')),
    success_pattern: !(await hidden(page, 'home', 'success_pattern')),
    dns_server: !(await hidden(page, 'home', 'dns_server')),
  });
  assert.deepEqual(await shown(), { service_name: false, success_pattern: false, dns_server: false });
  await choose(page, 'home', 'protocol', 'dyndns2');
  assert.deepEqual(await shown(), { service_name: true, success_pattern: false, dns_server: false });
  await choose(page, 'home', 'protocol', 'custom');
  assert.deepEqual(await shown(), { service_name: false, success_pattern: true, dns_server: false });
  await tab(page, 'home', 'advanced');
  await page.click(`[data-widget-id="${widget('home', 'verify_dns')}"]`);
  assert.deepEqual(await shown(), { service_name: false, success_pattern: true, dns_server: true });
  assert.equal(await hidden(page, 'cfg03a1b2', 'service_name'), false);
});

test('a value the daemon would refuse is refused by the form', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  for (const [o, l] of Object.entries(LIMITS)) {
    assert.deepEqual(await Promise.all([l.min - 1, l.min, l.max, l.max + 1, `${l.min}.5`, `-${l.min}`].map((v) => accepts(page, 'home', o, String(v)))),
      [false, true, true, false, false, false], o);
  }
  const cases: [string, string, boolean][] = [
    ['host', 'host.example.com', true], ['host', 'localhost', false], ['host', 'a_b.example.com', false],
    ['host', 'x.example.123', false], ['host', '-a.example.com', false], ['host', `${'a'.repeat(64)}.example.com`, false],
    ['update_url', 'https://dyn.example.com/update', true], ['update_url', 'ftp://dyn.example.com/', false],
    ['update_url', 'https://[DOMAIN]/?ip=[IP]', false], ['update_url', 'http://x y/', false],
    ['checkip4_url', 'http://checkip.example.com/', true], ['checkip6_url', 'checkip.example.com', false],
    ['interface', 'wan_6.x-1', true], ['interface', 'wan 6', false],
    ['device', 'pppoe-wan', true], ['device', 'eth0:1', false], ['device', 'averyveryverylongname', false],
    ['dns_server', '192.0.2.53', true], ['dns_server', '192.0.2.53:5353', true], ['dns_server', '[2001:db8::53]:53', true],
    ['dns_server', '2001:db8::53', true], ['dns_server', '192.0.2.53:99999', false], ['dns_server', '2001:db8::53:53x', false],
    ['dns_server', '01.2.3.4', false], ['cacert', '/etc/ssl/ca.pem', true], ['cacert', 'ca.pem', false],
    ['success_pattern', '^good', true], ['success_pattern', '(', false], ['success_pattern', '', true],
  ];
  for (const [o, v, ok] of cases) assert.equal(await accepts(page, 'home', o, v), ok, `${o} = ${v}`);
  assert.equal(await accepts(page, 'global', 'state_dir', 'var/run'), false);
  // a custom URL is checked with its placeholders filled in, as the daemon does
  await choose(page, 'home', 'protocol', 'custom');
  assert.equal(await accepts(page, 'home', 'update_url', 'https://[DOMAIN]/?ip=[IP]&p=[PASSWORD]'), true);
});

test('saving sends the changes, and no credential it did not touch, through uci', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  await tab(page, 'home', 'advanced');
  await page.fill(`[id="${widget('home', 'timeout')}"]`, '20');
  await tab(page, 'home', 'general');
  await page.fill(`[id="${widget('home', 'host')}"]`, 'new.example.com');
  await page.click(`[id="cbid.updyn.home.host"] .cbi-button-add`);
  await page.click('.cbi-page-actions .cbi-button-save');
  await page.waitForFunction(`${field(widget('home', 'timeout'))} && ${field(widget('home', 'timeout'))}.value === '20'`);
  assert.deepEqual(uciCalls('set'), [
    // as everywhere in LuCI, a choice shown with its default is written out; the daemon reads it the same
    { config: 'updyn', section: 'global', values: { log_format: 'text' } },
    { config: 'updyn', section: 'home', values: {
      // "yes" is written back as the "1" it means; the list item holding two names becomes two items
      enabled: '1', timeout: '20', ip_source: 'auto',
      host: ['home.example.com', 'www.example.com', 'alt.example.com', 'new.example.com'],
    } },
    { config: 'updyn', section: 'cfg03a1b2', values: { enabled: '0', ip_source: 'auto' } },
  ]);
  assert.deepEqual(uciCalls('add'), []);
  assert.deepEqual(uciCalls('delete'), []);
  assert.equal(s.h.rpcd.uci.updyn?.home?.password, TOKEN);
});

test('"Save & Apply" asks rpcd to apply the change', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  await page.selectOption(`[id="${widget('global', 'log_level')}"]`, 'debug');
  await page.click('.cbi-page-actions .cbi-button-apply');
  await page.waitForFunction('document.body.getAttribute("data-applied") === "true"');
  const global = uciCalls('set').find((x) => x.section === 'global');
  assert.equal((global?.values as Record<string, string> | undefined)?.log_level, 'debug');
  assert.equal(uciCalls('apply').length, 1);
});

test('a new service gets the name typed for it', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  await page.fill('.cbi-section-create-name', 'backup');
  await page.click('.cbi-section-create .cbi-button-add');
  await page.waitForSelector('[data-section-id="backup"]');
  assert.deepEqual(uciCalls('add'), [{ config: 'updyn', type: 'service', name: 'backup', values: {} }]);
});

test('a user who may read the configuration but not change it gets a read-only form', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show({ 'luci-app-updyn-status': ['read'], 'luci-app-updyn': ['read'] });
  const enabled = await js<string[]>(page, `Array.from(document.querySelectorAll('#view input, #view select, #view button'))
    .filter(e => !e.disabled && !e.closest('.cbi-tabmenu')).map(e => e.outerHTML)`);
  assert.deepEqual(enabled, []);
});

test('a user who may only look at the status cannot open the settings', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const page = await (await (s.c as Chromium).browser.newContext()).newPage();
  s.opened.push(page);
  const res = await page.goto(s.h.url('updyn/settings', { 'luci-app-updyn-status': ['read', 'write'] }));
  assert.equal(res?.status(), 403);
  assert.deepEqual(s.h.rpcd.calls, []);
});

test('without LuCI\'s network list the interface is a plain field that keeps its value', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show({ ...ADMIN, 'luci-base-network-status': [] });
  assert.equal(await js(page, `${field(widget('home', 'interface'))}.value`), 'wan');
  assert.equal(await js(page, `${field(widget('home', 'interface'))}.hasAttribute('list')`), false);
  assert.deepEqual(s.h.rpcd.calls.filter((x) => x.object === 'network.interface').map((x) => x.outcome), ['denied']);
});
