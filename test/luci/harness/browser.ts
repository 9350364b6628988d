// Headless Chromium for the LuCI suites. Debian's /usr/bin/chromium (CI
// installs it); a missing browser skips on a laptop and fails under CI=true.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { repoRoot, underCI } from '../../support/env';
import type { Harness, Look } from './server';
import type { Perm } from './rpcd';

export const chromiumPath = process.env.UPDYN_CHROMIUM ?? '/usr/bin/chromium';
/** where the suites leave the pictures the README shows */
export const screenshots = join(repoRoot, 'test', 'luci', 'screenshots');

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

/** null when the suite must skip (not under CI) */
export async function launch(): Promise<Chromium | null> {
  if (!existsSync(chromiumPath)) {
    const why = `Chromium not found at ${chromiumPath} (install Debian's chromium package, or set UPDYN_CHROMIUM)`;
    if (underCI) throw new Error(`the LuCI suites must run under CI but cannot: ${why}`);
    console.log(`# skipping the LuCI browser suites: ${why}`);
    return null;
  }
  // playwright gives every launch a new, empty profile directory; each page gets its own context
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(screenshots, { recursive: true });
  return { browser, close: () => browser.close() };
}

export function skipWithout(t: TestContext, c: Chromium | null): c is Chromium {
  if (c) return true;
  t.skip('no Chromium');
  return false;
}

export interface Opened {
  page: Page;
  /** uncaught page errors and LuCI errors (L.error) */
  errors: string[];
}

/**
 * Opens `view` as a session holding `groups`, with the browser clock fixed at
 * `now` (timers still run), and waits until the view has rendered.
 */
export async function openView(c: Chromium, h: Harness, view: string, groups: Record<string, Perm[]>, now?: number,
  look: Look & { width?: number } = {}): Promise<Opened> {
  const context = await c.browser.newContext({ viewport: { width: look.width ?? 1180, height: 700 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (now !== undefined) await page.clock.setFixedTime(now);
  const res = await page.goto(h.url(view, groups, look));
  if (res?.status() !== 200) throw new Error(`${view}: HTTP ${res?.status()}: ${await page.content()}`);
  await page.waitForFunction('document.body.getAttribute("data-view-ready") === "true" || (window.__luciErrors || []).length > 0');
  errors.push(...((await page.evaluate('window.__luciErrors || []')) as string[]));
  return { page, errors };
}
