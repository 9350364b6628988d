// What a suite may assume about the machine, and how it declines when it can't:
// a test that needs root skips on a laptop but fails under CI=true.
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const underCI = process.env.CI === 'true';

let rootCapable: string | null | undefined;

/** null when netns tests can run here, else the reason they cannot. */
export function netnsUnavailable(): string | null {
  if (rootCapable !== undefined) return rootCapable;
  if (process.getuid?.() !== 0) rootCapable = 'needs root';
  else if (spawnSync('ip', ['-V']).status !== 0) rootCapable = "needs iproute2's `ip`";
  else {
    const probe = `updyn-probe-${process.pid}`;
    const add = spawnSync('ip', ['netns', 'add', probe]);
    spawnSync('ip', ['netns', 'del', probe]);
    rootCapable = add.status === 0 ? null : `cannot create a network namespace: ${add.stderr.toString().trim()}`;
  }
  return rootCapable;
}

/**
 * How a test declines: `why` null means it can run (true); otherwise it fails
 * under CI and skips elsewhere (false: the test must stop).
 */
export function canRun(t: TestContext, why: string | null): boolean {
  if (why === null) return true;
  if (underCI) throw new Error(`this test must run under CI but cannot: ${why}`);
  t.skip(why);
  return false;
}

/** Call first in a test that needs root and namespaces. Returns false when the test must stop (skipped). */
export function needsNetns(t: TestContext): boolean {
  return canRun(t, netnsUnavailable());
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'updyn-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The checkout's root: the nearest directory above this (compiled) file holding package.json. */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
/** The shipped bundle. */
export const bundlePath = join(repoRoot, 'dist', 'updyn.js');
/** A compiled helper entry point under .build (e.g. 'test/provider/cli'). */
export const builtPath = (rel: string) => join(repoRoot, '.build', `${rel}.js`);
