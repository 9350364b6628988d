// The status page in headless Chromium against the harness: what a router
// owner reads in every state (running, stopped, no report yet, stale), the
// service buttons and exactly the rpcd calls they make, and no token anywhere.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Chromium, type Opened, openView, screenshots, skipWithout } from './harness/browser';
import { browserSession } from './harness/session';
import { cells, count, textOf } from './harness/read';
import type { Perm } from './harness/rpcd';
import { NOW, TOKEN, doc, fixtures, record, uciFixture } from './fixtures';

const ADMIN: Record<string, Perm[]> = { 'luci-app-updyn-status': ['read', 'write'], 'luci-app-updyn': ['read', 'write'] };
/** may look at the status, may not act and may not read the configuration */
const VIEWER: Record<string, Perm[]> = { 'luci-app-updyn-status': ['read'] };
const PID = 1234;

const HEADER = ['Service', 'Name', 'Address now', 'Address in DNS', 'Last update', 'Result', 'Next try', 'Updates left this hour'];
const FACTS = 'updyn 0.1.0 · started 3 hours ago · status from 10 seconds ago · hears of address changes at once';
/** words a router owner should never have to read */
const JARGON = /\b(tokens|trouble|checkip|debounce|pid|netlink|rpc|ubus)\b/i;

const s = browserSession();

/** `updyn status --json` answering `status` (a document, or null for no report yet) */
function report(status: object | null, running = true): void {
  s.h.rpcd.statusJson = JSON.stringify(status === null ? { error: 'no status yet: updyn has not run' } : { ...status, running });
}

async function show(groups = ADMIN, look = {}): Promise<Opened> {
  const o = await openView(s.c as Chromium, s.h, 'updyn/status', groups, NOW, look);
  s.opened.push(o.page);
  assert.deepEqual(o.errors, []);
  return o;
}

const table = (page: Page) => cells(page, 'table.updyn-records tr');
const daemon = (page: Page) => textOf(page, '.updyn-daemon');
const buttons = (page: Page) =>
  page.evaluate(`Array.from(document.querySelectorAll('.updyn-actions button'), b => b.innerText + (b.disabled ? ' (off)' : ''))`) as Promise<string[]>;
const rcCalls = () => s.h.rpcd.calls.filter((x) => x.object === 'rc').map((x) => ({ method: x.method, args: x.args, outcome: x.outcome }));
async function picture(page: Page, name: string, height = 700): Promise<void> {
  await page.screenshot({ path: join(screenshots, name), fullPage: height === 0, ...(height ? { clip: { x: 0, y: 0, width: page.viewportSize()?.width ?? 1180, height } } : {}) });
}

test('a running daemon with names up to date reads ok in plain words', async (t) => {
  if (!skipWithout(t, s.c)) return;
  report(fixtures.allOk(PID));
  const { page } = await show();
  assert.equal(await daemon(page), `running Starts when the router starts. ${FACTS}`);
  assert.deepEqual(await table(page), [
    HEADER,
    ['home', 'home.example.com IPv4', '203.0.113.5\nfrom eth0', '203.0.113.5', '2 hours ago', 'ok\nHTTP 200', 'in 22 hours', '3 updates'],
    ['home', 'home.example.com IPv6', '2001:db8::5\nfrom eth0', '2001:db8::5', '2 hours ago', 'ok\nHTTP 200', 'in 22 hours', '3 updates'],
  ]);
  assert.deepEqual(await buttons(page), ['Restart', 'Stop', 'Do not start at boot', 'Check addresses now', 'Update all now']);
  assert.doesNotMatch(await textOf(page, '#view'), JARGON);
});

test('errors, refusals, waiting and a web-service address: every result in words, no jargon', async (t) => {
  if (!skipWithout(t, s.c)) return;
  report(doc(PID, [
    ...fixtures.rejected(PID).services, ...fixtures.trouble(PID).services.map((x) => ({ ...x, name: 'work' })),
    ...fixtures.rateLimited(PID).services.map((x) => ({ ...x, name: 'lab' })), ...fixtures.checkip(PID).services,
  ]));
  const { page } = await show();
  const rows = await table(page);
  assert.deepEqual(rows.map((r) => r[5]), [
    'Result', 'refused by the provider\nHTTP 401: bad login or token', 'error\nHTTP 503: service unavailable',
    'waiting\nno updates left this hour', 'ok\nHTTP 200',
  ]);
  assert.equal(rows[3]?.[7], '0 updates');
  assert.equal(rows[4]?.[2], '198.51.100.7\nfrom a web service');
  assert.equal(rows[2]?.[7], '1 update');
  assert.doesNotMatch(await textOf(page, '#view'), JARGON);
  // colours from the classes every theme styles, each result its own
  assert.deepEqual(await page.evaluate(`Array.from(document.querySelectorAll('table .updyn-badge'), b => b.className)`), [
    'label updyn-badge important', 'label updyn-badge warning', 'label updyn-badge notice', 'label updyn-badge success',
  ]);
  await picture(page, 'status.png', 470);
  const dark = await show(ADMIN, { dark: true });
  await picture(dark.page, 'status-dark.png', 470);
  const narrow = await show(ADMIN, { width: 375 });
  assert.ok((await narrow.page.evaluate('document.documentElement.scrollWidth')) as number <= 375, 'no sideways scrolling at 375 px');
  await picture(narrow.page, 'status-375.png', 0);
});

test('a stopped daemon says "not running" in words, with a Start button, even with no report at all', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.service = { enabled: false, running: false };
  report(null);
  const { page } = await show();
  assert.equal(await daemon(page), 'not running updyn is not running, so no name is being updated. Does not start when the router starts.');
  assert.equal(await textOf(page, '.updyn-nostatus'), 'updyn has not reported anything since the router started.');
  assert.deepEqual(await buttons(page), ['Start', 'Stop (off)', 'Start at boot', 'Check addresses now (off)', 'Update all now (off)']);
  await picture(page, 'status-not-running.png', 200);

  await page.click('button[data-action="start"]');
  await page.waitForFunction(`document.querySelector('.updyn-action-note').innerText != ''`);
  assert.equal(await textOf(page, '.updyn-action-note'), 'Started updyn.');
  assert.match(await daemon(page), /^running /);
  await page.click('button[data-action="enable"]');
  await page.waitForFunction(`document.querySelector('.updyn-action-note').innerText == 'updyn now starts with the router.'`);
  assert.deepEqual(rcCalls().filter((c) => c.method === 'init'), [
    { method: 'init', args: { name: 'updyn', action: 'start' }, outcome: 0 },
    { method: 'init', args: { name: 'updyn', action: 'enable' }, outcome: 0 },
  ]);
  assert.ok(rcCalls().filter((c) => c.method === 'list').every((c) => JSON.stringify(c.args) === '{"name":"updyn"}'));
});

test('stop, restart and disable each send one rc init for updyn', async (t) => {
  if (!skipWithout(t, s.c)) return;
  report(fixtures.allOk(PID));
  const { page } = await show();
  for (const [action, note] of [['restart', 'Restarted updyn.'], ['disable', 'updyn no longer starts with the router.'], ['stop', 'Stopped updyn.']]) {
    await page.click(`button[data-action="${action}"]`);
    await page.waitForFunction(`document.querySelector('.updyn-action-note').innerText == ${JSON.stringify(note)}`);
  }
  assert.deepEqual(rcCalls().filter((c) => c.method === 'init').map((c) => c.args.action), ['restart', 'disable', 'stop']);
  assert.match(await daemon(page), /^not running /);
});

test('results of a stopped daemon are greyed, neutral and say how old they are', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.service = { enabled: true, running: false };
  report(doc(PID, [{ name: 'home', device: 'eth0', records: [record({ last_attempt_at: new Date(NOW - 2 * 86400e3).toISOString() })] }]), false);
  const { page } = await show();
  assert.equal(await count(page, 'tr.updyn-stale'), 1);
  assert.equal((await table(page))[1]?.[5], 'ok\nHTTP 200\nas of 2 days ago');
  assert.equal(await page.evaluate(`document.querySelector('table .updyn-badge').className`), 'label updyn-badge');
});

test('"Check addresses now" and "Update all now" run exactly the two granted command lines', async (t) => {
  if (!skipWithout(t, s.c)) return;
  report(fixtures.allOk(PID));
  const { page } = await show();
  await page.click('button[data-action="check"]');
  await page.waitForFunction(`document.querySelector('.updyn-action-note').innerText == 'Asked updyn to check the addresses now.'`);
  await page.click('button[data-action="update"]');
  await page.waitForFunction(`document.querySelector('.updyn-action-note').innerText == 'Asked updyn to update every name now.'`);
  assert.deepEqual(s.h.rpcd.calls.filter((x) => x.object === 'file').map((x) => [x.args, x.outcome]), [
    [{ command: '/etc/init.d/updyn', params: ['check'], env: null }, 0],
    [{ command: '/etc/init.d/updyn', params: ['update'], env: null }, 0],
  ]);
});

test('a user who may only look sees the status, no button works, and rpcd refuses the actions and the configuration', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.uci = uciFixture();
  report(fixtures.allOk(PID));
  const { page } = await show(VIEWER);
  assert.match(await daemon(page), /^running /);
  assert.ok((await buttons(page)).every((b) => b.endsWith('(off)')));
  const tryIt = (js: string) => page.evaluate(`${js}.then(() => 'allowed', e => e.name + ': ' + e.message)`);
  assert.equal(await tryIt(`L.require('updyn.status').then(st => st.init('stop'))`),
    'RPCError: RPC call to rc/init failed with error -32002: Access denied');
  assert.equal(await tryIt(`L.require('fs').then(fs => fs.exec('/etc/init.d/updyn', ['check']))`),
    'RPCError: RPC call to file/exec failed with error -32002: Access denied');
  assert.equal(await tryIt(`L.require('uci').then(uci => uci.load('updyn'))`),
    'RPCError: RPC call to uci/get failed with ubus code 6: Permission denied');
  assert.equal(await tryIt(`L.require('fs').then(fs => fs.exec_direct('/usr/bin/updyn', ['check-config', '--json']))`),
    'PermissionError: Forbidden');
  assert.equal(s.h.rpcd.service?.running, true);
});

test('no token reaches the status page: it reads only rc list and updyn status', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.uci = uciFixture();
  report(fixtures.several(PID));
  const { page } = await show(ADMIN);
  assert.deepEqual(s.h.rpcd.calls.map((x) => `${x.object}.${x.method}`), ['rc.list']);
  assert.deepEqual(s.h.rpcd.cgiExecs, [{ command: '/usr/bin/updyn status --json', status: 200 }]);
  assert.ok(!s.h.rpcd.replies.some((r) => r.includes(TOKEN)));
  assert.ok(!(await page.content()).includes(TOKEN));
});

test('a report updyn cannot give is said, not taken for a stopped daemon', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.statusJson = '';
  const { page } = await show();
  assert.match(await daemon(page), /^running /);
  assert.equal(await textOf(page, '.updyn-unreadable'), 'no status Cannot read the status: updyn could not read its configuration; see Settings');
});

test('a provider message is shown as text, never run as markup', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const evil = '<img src=x onerror="window.__xss=1">bad <b>answer</b>';
  report(doc(PID, [{ name: 'home', device: 'eth0', records: [record({ last_result: 'rejected', last_message: evil })] }]));
  const { page } = await show();
  assert.equal((await table(page))[1]?.[5], `refused by the provider\n${evil}`);
  assert.equal(await count(page, 'table img, table b'), 0);
  assert.equal(await page.evaluate('window.__xss'), undefined);
});

test('the page refreshes itself', async (t) => {
  if (!skipWithout(t, s.c)) return;
  report(fixtures.allOk(PID));
  const { page } = await show();
  report(fixtures.rejected(PID));
  // poll.add(fn, 15): within fifteen ticks of a second
  await page.waitForFunction(`document.querySelector('table.updyn-records').innerText.includes('refused')`, null, { timeout: 25000 });
  assert.ok(s.h.rpcd.calls.every((x) => x.object !== 'uci'));
});

test('in German the page speaks German, counts included', async (t) => {
  if (!skipWithout(t, s.c)) return;
  report(fixtures.allOk(PID));
  const { page } = await show(ADMIN, { lang: 'de' });
  assert.match(await daemon(page), /^läuft Startet mit dem Router\./);
  assert.deepEqual((await table(page))[0], ['Dienst', 'Name', 'Adresse jetzt', 'Adresse im DNS', 'Letzte Aktualisierung', 'Ergebnis', 'Nächster Versuch', 'Aktualisierungen übrig in dieser Stunde']);
  assert.equal((await table(page))[1]?.[4], 'vor 2 Stunden');
  assert.equal((await table(page))[1]?.[7], '3 Aktualisierungen');
});
