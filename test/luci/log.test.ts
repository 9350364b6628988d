// The Log tab in headless Chromium: exactly `logread -e updyn` through cgi-io,
// newest line last, every line as text (a hostile one included).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Chromium, type Opened, openView, screenshots, skipWithout } from './harness/browser';
import { browserSession } from './harness/session';
import { count, textOf } from './harness/read';
import type { Perm } from './harness/rpcd';

const VIEWER: Record<string, Perm[]> = { 'luci-app-updyn-status': ['read'] };
const LINES = [
  'Mon Mar  1 10:41:07 2026 daemon.info updyn[2361]: updyn started: 1 service(s), 2 record(s), addresses through netlink',
  'Mon Mar  1 10:41:07 2026 daemon.info updyn[2361]: home home.example.com A: updated 203.0.113.4 -> 203.0.113.5 (HTTP 200, 84 ms)',
  'Mon Mar  1 10:52:30 2026 daemon.err updyn[2361]: home home.example.com AAAA: rejected by provider (HTTP 401: <img src=x onerror="window.__xss=1"><b>bad</b>)',
];

const s = browserSession();

async function show(groups = VIEWER, look = {}): Promise<Opened> {
  const o = await openView(s.c as Chromium, s.h, 'updyn/log', groups, undefined, look);
  s.opened.push(o.page);
  assert.deepEqual(o.errors, []);
  return o;
}

test('the log shows logread -e updyn, oldest first and newest last, every line as text', async (t) => {
  if (!skipWithout(t, s.c)) return;
  s.h.rpcd.log = `${LINES.join('\n')}\n`;
  const { page } = await show();
  assert.equal(await page.evaluate(`document.querySelector('pre.updyn-log').textContent`), LINES.join('\n'));
  assert.equal(await count(page, 'pre.updyn-log *'), 0);
  assert.equal(await page.evaluate('window.__xss'), undefined);
  assert.equal(await textOf(page, '.cbi-section p'), '3 lines');
  assert.deepEqual(s.h.rpcd.cgiExecs, [{ command: '/sbin/logread -e updyn', status: 200 }]);
  await page.screenshot({ path: join(screenshots, 'log.png'), clip: { x: 0, y: 0, width: 1180, height: 260 } });
  const dark = await show(VIEWER, { dark: true });
  await dark.page.screenshot({ path: join(screenshots, 'log-dark.png'), clip: { x: 0, y: 0, width: 1180, height: 260 } });
});

test('an empty log says so; one line is counted as one', async (t) => {
  if (!skipWithout(t, s.c)) return;
  let { page } = await show();
  assert.equal(await textOf(page, '.updyn-log-empty'), 'updyn has not written to the log since the router started.');
  s.h.rpcd.log = `${LINES[0]}\n`;
  ({ page } = await show());
  assert.equal(await textOf(page, '.cbi-section p'), '1 line');
});

test('any other logread command line is refused by the ACL', async (t) => {
  if (!skipWithout(t, s.c)) return;
  const { page } = await show();
  const tryIt = (args: string[]) => page.evaluate(`L.require('fs').then(fs => fs.exec_direct('/sbin/logread', ${JSON.stringify(args)})).then(() => 'allowed', e => e.name)`);
  assert.equal(await tryIt(['-e', 'updyn']), 'allowed');
  assert.equal(await tryIt(['-e', '^']), 'PermissionError');
  assert.equal(await tryIt(['-e', 'updyn', '-f']), 'PermissionError');
  assert.equal(await tryIt([]), 'PermissionError');
});
