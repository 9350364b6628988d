// The status page in headless Chromium against the harness: what a router
// owner reads for every state status.json can be in, cell by cell.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Chromium, type Opened, openView, screenshots, skipWithout } from './harness/browser';
import { browserSession } from './harness/session';
import { cells, colours, count, textOf } from './harness/read';
import type { Perm } from './harness/rpcd';
import { NOW, STATUS_FILE, TOKEN, at, doc, fixtures, record, uciFixture } from './fixtures';

const ADMIN: Record<string, Perm[]> = { 'luci-app-updyn-status': ['read', 'write'], 'luci-app-updyn': ['read', 'write'] };
/** may look at the status, may not act and may not read the configuration */
const VIEWER: Record<string, Perm[]> = { 'luci-app-updyn-status': ['read'] };
const LIVE = process.pid;
const DEAD = spawnSync('true').pid as number;

const HEADER = ['Service', 'Host', 'Record', 'Current address', 'Registered', 'Last update', 'Result', 'Next attempt', 'Tokens'];
const running = (pid: number) => `running updyn 0.1.0 · pid ${pid} · started 3 h ago · status written 10 s ago · addresses from netlink`;

const s = browserSession();

/** Opens the status page over `status` (a document, raw text, or null for no file). */
async function show(status: object | string | null, groups = ADMIN): Promise<Opened> {
  if (status !== null) s.h.rpcd.files.set(STATUS_FILE, typeof status === 'string' ? status : JSON.stringify(status));
  const o = await openView(s.c as Chromium, s.h, 'updyn/status', groups, NOW);
  s.opened.push(o.page);
  assert.deepEqual(o.errors, []);
  return o;
}

const table = (page: Page) => cells(page, 'table.updyn-records tr');
const daemon = (page: Page) => textOf(page, '.updyn-daemon');
const buttonsDisabled = (page: Page) =>
  page.evaluate(`Array.from(document.querySelectorAll('.updyn-actions button'), b => b.disabled)`) as Promise<boolean[]>;
/** A picture for the README; the pid is a real process's, so it is pinned for a stable image. */
async function picture(page: Page, name: string, height = 700): Promise<void> {
  await page.evaluate(`document.querySelectorAll('.updyn-daemon').forEach(p => p.lastChild.data = p.lastChild.data.replace(/pid \\d+/, 'pid 1234'))`);
  await page.screenshot({ path: join(screenshots, name), clip: { x: 0, y: 0, width: 1180, height } });
}
const execs = () => s.h.rpcd.calls.filter((x) => x.object === 'file' && x.method === 'exec').map((x) => ({ args: x.args, outcome: x.outcome }));

test('a name pointing at the current address reads ok in every cell', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.allOk(LIVE));
  assert.equal(await daemon(page), running(LIVE));
  assert.deepEqual(await table(page), [
    HEADER,
    ['home', 'home.example.com', 'A', '203.0.113.5\ninterface eth0', '203.0.113.5', '2 h ago', 'ok\nHTTP 200', 'in 22 h', '3'],
    ['home', 'home.example.com', 'AAAA', '2001:db8::5\ninterface eth0', '2001:db8::5', '2 h ago', 'ok\nHTTP 200', 'in 22 h', '3'],
  ]);
  // the exact time stays one hover away
  assert.equal(await page.getAttribute('table.updyn-records tr:nth-child(2) td:nth-child(6)', 'title'), at(-7200));
  assert.deepEqual(await buttonsDisabled(page), [false, false]);
});

test('a rejection shows the provider\'s message and when it will be tried again', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.rejected(LIVE));
  assert.deepEqual((await table(page))[1],
    ['home', 'home.example.com', 'A', '203.0.113.9\ninterface eth0', '203.0.113.5', '5 min ago', 'rejected\nHTTP 401: bad login or token', 'in 24 h', '2']);
});

test('trouble shows the message and the next attempt', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.trouble(LIVE));
  assert.deepEqual((await table(page))[1],
    ['home', 'home.example.com', 'A', '203.0.113.9\ninterface eth0', '203.0.113.5', '3 min ago', 'trouble\nHTTP 503: service unavailable', 'in 2 min', '1']);
});

test('a rate-limited change is pending, with the tokens left and when it goes out', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.rateLimited(LIVE));
  assert.deepEqual((await table(page))[1],
    ['home', 'home.example.com', 'A', '203.0.113.9\ninterface eth0', '203.0.113.8', '15 min ago', 'pending\nrate limited', 'in 45 min', '0.25']);
});

test('an address found by checkip says so', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.checkip(LIVE));
  assert.deepEqual((await table(page))[1],
    ['nat', 'nat.example.net', 'A', '198.51.100.7\ncheckip', '198.51.100.7', '2 h ago', 'ok\nHTTP 200', 'in 22 h', '3']);
});

test('several services each get their rows', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.several(LIVE));
  assert.deepEqual(await table(page), [
    HEADER,
    ['home', 'home.example.com', 'A', '203.0.113.5\ninterface eth0', '203.0.113.5', '2 h ago', 'ok\nHTTP 200', 'in 22 h', '3'],
    ['home', 'home.example.com', 'AAAA', '2001:db8::9\ninterface eth0', '2001:db8::5', 'never', 'pending', 'now', '3'],
    ['office', 'office.example.org', 'A', '192.0.2.10\ninterface eth1', '—', '2 days ago', 'rejected\nbadauth', '—', '2.5'],
    ['lab', 'lab.example.org', 'A', 'no address', '198.51.100.20', '30 s ago', 'trouble\ntimeout after 10 s', 'in 2 min', '1'],
  ]);
  await picture(page, 'status.png', 420);
});

test('a status whose process has exited says "not running" and still shows the last known state', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.allOk(DEAD));
  assert.equal(await daemon(page), `not running The process that wrote the status below has exited; it shows the last known state. ${running(DEAD).slice('running '.length)}`);
  assert.equal((await table(page)).length, 3);
  // a signal to a process that is gone would do nothing
  assert.deepEqual(await buttonsDisabled(page), [true, true]);
  await picture(page, 'status-not-running.png', 260);
});

test('no status.json says "no status yet" and how to start updyn', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(null);
  assert.equal(await daemon(page),
    'no status yet /var/run/updyn/status.json does not exist: updyn has not run since the router started. Start it with "/etc/init.d/updyn enable; /etc/init.d/updyn start".');
  assert.equal(await count(page, 'table'), 0);
  assert.deepEqual(await buttonsDisabled(page), [true, true]);
});

test('no service enabled says so instead of showing an empty table', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.noService(LIVE));
  assert.equal(await daemon(page), running(LIVE));
  assert.equal(await textOf(page, '.updyn-noservice'), 'no service enabled updyn has nothing to update: enable a service under Settings.');
  assert.equal(await count(page, 'table'), 0);
});

test('a status.json that is not JSON is reported, not taken for a stopped daemon', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show('{"version": "0.1.0", "pid": ');
  assert.equal(await daemon(page), 'status unreadable Cannot read /var/run/updyn/status.json: status.json is not valid JSON');
});

test('without the running check the page says it cannot tell, and why', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.pluginMissing = true;
  const { page } = await show(fixtures.allOk(LIVE));
  assert.equal(await daemon(page), 'unknown Cannot tell whether updyn runs: RPC call to luci.updyn/running failed with error -32000: Object not found ' +
    running(LIVE).slice('running '.length));
});

test('every state is told apart by its colour as well as its text', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const daemonStates: Record<string, string> = {};
  const cases: [string, object | string | null][] = [
    ['running', fixtures.allOk(LIVE)], ['not running', fixtures.allOk(DEAD)], ['no status yet', null],
    ['status unreadable', '{'], ['no service enabled', fixtures.noService(LIVE)],
  ];
  for (const [label, status] of cases) {
    s.h.rpcd.reset();
    const { page } = await show(status);
    const sel = label === 'no service enabled' ? '.updyn-noservice .updyn-badge' : '.updyn-daemon .updyn-badge';
    assert.equal(await textOf(page, sel), label);
    const { bg, fg } = await colours(page, sel);
    assert.notEqual(bg, 'rgba(0, 0, 0, 0)', `${label} has a colour of its own`);
    assert.equal(fg, 'rgb(255, 255, 255)');
    daemonStates[label] = bg;
  }
  assert.equal(new Set(Object.values(daemonStates)).size, cases.length, JSON.stringify(daemonStates));

  s.h.rpcd.reset();
  const { page } = await show(fixtures.several(LIVE));
  const results = (await page.evaluate(`Array.from(document.querySelectorAll('table .updyn-badge'),
    b => [b.innerText, getComputedStyle(b).backgroundColor])`)) as [string, string][];
  const byResult = new Map(results);
  assert.deepEqual([...byResult.keys()].sort(), ['ok', 'pending', 'rejected', 'trouble']);
  assert.equal(new Set(byResult.values()).size, 4, JSON.stringify(results));
});

test('"Check now" runs exactly /etc/init.d/updyn check', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.allOk(LIVE));
  await page.click('text=Check now');
  await page.waitForFunction(`document.querySelector('.updyn-action-note').innerText != ''`);
  assert.equal(await textOf(page, '.updyn-action-note'), 'Asked updyn to check the addresses now.');
  assert.deepEqual(execs(), [{ args: { command: '/etc/init.d/updyn', params: ['check'], env: null }, outcome: 0 }]);
});

test('"Update now" runs exactly /etc/init.d/updyn update', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.allOk(LIVE));
  await page.click('text=Update now');
  await page.waitForFunction(`document.querySelector('.updyn-action-note').innerText != ''`);
  assert.equal(await textOf(page, '.updyn-action-note'), 'Asked updyn to update every record now.');
  assert.deepEqual(execs(), [{ args: { command: '/etc/init.d/updyn', params: ['update'], env: null }, outcome: 0 }]);
});

test('a signal the init script refuses is reported with its message', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.allOk(LIVE));
  s.h.rpcd.execResult = { code: 1, stdout: '', stderr: 'updyn is not running' };
  await page.click('text=Check now');
  await page.waitForSelector('.alert-message');
  assert.equal(await textOf(page, '.alert-message'), 'Could not signal updyn: updyn is not running');
  assert.equal(await textOf(page, '.updyn-action-note'), '');
});

test('a user who may only look sees the status but can neither signal nor read the configuration', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.uci = uciFixture();
  const { page } = await show(fixtures.allOk(LIVE), VIEWER);
  assert.equal(await daemon(page), running(LIVE));
  assert.deepEqual(await buttonsDisabled(page), [true, true]);
  const tryIt = (js: string) => page.evaluate(`${js}.then(() => 'allowed', e => e.name + ': ' + e.message)`);
  assert.equal(await tryIt(`L.require('fs').then(fs => fs.exec('/etc/init.d/updyn', ['check']))`),
    'RPCError: RPC call to file/exec failed with error -32002: Access denied');
  assert.equal(await tryIt(`L.require('uci').then(uci => uci.load('updyn'))`),
    'RPCError: RPC call to uci/get failed with ubus code 6: Permission denied');
  assert.deepEqual(execs(), [{ args: { command: '/etc/init.d/updyn', params: ['check'], env: null }, outcome: 'denied' }]);
});

test('no token reaches the status page, even for a user allowed to read it', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.uci = uciFixture();
  const { page } = await show(fixtures.several(LIVE), ADMIN);
  assert.deepEqual(s.h.rpcd.calls.map((x) => `${x.object}.${x.method}`), ['file.read', 'luci.updyn.running']);
  assert.ok(!s.h.rpcd.replies.some((r) => r.includes(TOKEN)));
  assert.ok(!(await page.content()).includes(TOKEN));
});

test('a provider message is shown as text, never run as markup', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const evil = '<img src=x onerror="window.__xss=1">bad <b>answer</b>';
  const { page } = await show(doc(LIVE, [{ name: 'home', device: 'eth0', records: [record({ last_result: 'rejected', last_message: evil })] }]));
  assert.equal((await table(page))[1]?.[6], `rejected\n${evil}`);
  assert.equal(await count(page, 'table img, table b'), 0);
  assert.equal(await page.evaluate('window.__xss'), undefined);
});

test('the page refreshes itself', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show(fixtures.allOk(LIVE));
  s.h.rpcd.files.set(STATUS_FILE, JSON.stringify(fixtures.rejected(LIVE)));
  // poll.add(fn, 10): within ten ticks of a second
  await page.waitForFunction(`document.querySelector('table.updyn-records').innerText.includes('rejected')`, null, { timeout: 15000 });
  assert.deepEqual((await table(page)).length, 2);
  assert.ok(s.h.rpcd.calls.every((x) => x.object !== 'uci'));
});
