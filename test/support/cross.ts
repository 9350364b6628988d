// The cross-built netlink addon for a target (build/cross-addon.mjs), built on
// demand and cached under .build/cross (a cold build compiles libc++ for the
// target: one to two minutes each; cached: instant). Builds run as child
// processes, so that suites building different targets use both cores.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { canRun, repoRoot } from './env';

export interface CrossBuild {
  arch: string;
  path?: string;
  error?: string;
  cached?: boolean;
  seconds?: number;
  size?: number;
}

/** Long enough for a cold build on a busy two-core machine. */
export const CROSS_TIMEOUT_MS = 600_000;

export function buildCross(arch: string): Promise<CrossBuild> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'build/cross-addon.mjs'), '--json', arch], { cwd: repoRoot, timeout: CROSS_TIMEOUT_MS, maxBuffer: 1 << 20 }, (e, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as CrossBuild);
      } catch {
        resolve({ arch, error: `cross-addon.mjs gave no answer (${e?.message ?? ''}): ${stderr.trim().slice(-500)}` });
      }
    });
  });
}

/** zig runs on x86_64 Linux only (npm skips the optional dependency elsewhere): skip there, fail under CI. */
export function needsZig(t: TestContext): boolean {
  const runs = process.platform === 'linux' && process.arch === 'x64';
  return canRun(t, runs ? null : `the zig toolchain from npm runs on x86_64 Linux, not ${process.platform}/${process.arch}`);
}

/**
 * The built addon's absolute path (probes run with another working directory);
 * a failed build fails the test with zig's own words.
 */
export async function crossAddon(arch: string): Promise<string> {
  const r = await buildCross(arch);
  if (!r.path) throw new Error(`cross build for ${arch} failed: ${r.error}`);
  return resolve(repoRoot, r.path);
}
