// One harness server and one Chromium per suite, a fresh rpcd and fresh pages
// per test: the hooks every view suite needs.
import { after, before, beforeEach } from 'node:test';
import type { Page } from 'playwright-core';
import { type Chromium, launch } from './browser';
import { type Harness, startHarness } from './server';

export interface Session {
  /** the harness server (rpcd stand-in, files, uci) */
  h: Harness;
  /** the browser, null when Chromium is missing (the suite then skips or fails) */
  c: Chromium | null;
  /** pages to close before the next test */
  opened: Page[];
}

/** Registers the suite's hooks; `reset` runs after rpcd's own reset before each test. */
export function browserSession(reset?: (h: Harness) => void): Session {
  const s = { c: null, opened: [] } as unknown as Session;
  before(async () => {
    s.h = await startHarness();
    s.c = await launch();
  });
  after(async () => {
    await s.h.close();
    await s.c?.close();
  });
  beforeEach(async () => {
    await Promise.all(s.opened.splice(0).map((p) => p.context().close()));
    s.h.rpcd.reset();
    reset?.(s.h);
  });
  return s;
}
