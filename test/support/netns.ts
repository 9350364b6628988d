// A throwaway network namespace per test, for everything that needs the real
// kernel: devices and addresses are created inside it, programs run inside it,
// and the namespace and every process started in it are gone when the test ends.
// Skips without root on a laptop, fails under CI=true (see needsNetns).
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { TestContext } from 'node:test';
import { needsNetns } from './env';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Netns {
  readonly name: string;
  /** `ip -n NAME ...args`; resolves with stdout, throws with stderr on failure. */
  ip(...args: string[]): Promise<string>;
  /** `ip -n NAME -batch -` fed with `lines` (one command each, without the leading `ip`). */
  ipBatch(lines: string[]): Promise<void>;
  /** A veth pair with both ends inside the namespace, both up. */
  addVeth(name?: string, peer?: string): Promise<void>;
  /** Runs a program inside the namespace to completion (bounded by timeoutMs, default 30 s). */
  exec(cmd: string, args?: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** Starts a program inside the namespace; it is killed when the test ends. */
  spawn(cmd: string, args?: string[], opts?: SpawnOptions): ChildProcess;
  /** Starts `node scriptPath ...args` inside the namespace with `env` added to ours; tracked like spawn(). */
  nodeProcess(scriptPath: string, args?: string[], env?: Record<string, string>): ChildProcess;
}

let counter = 0;
const CMD_TIMEOUT_MS = 30_000;

/** Namespaces and processes not cleaned up yet: swept synchronously if the test process exits first. */
const live = new Map<string, Set<ChildProcess>>();
process.on('exit', () => {
  for (const [name, children] of live) {
    for (const c of children) c.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', name], { timeout: 5000 });
  }
});

/** A fresh namespace with `lo` up, deleted after the test; null when the test was skipped. */
export async function createNetns(t: TestContext): Promise<Netns | null> {
  if (!needsNetns(t)) return null;
  const name = `updyn-${process.pid}-${counter++}`;
  const children = new Set<ChildProcess>();
  await run('ip', ['netns', 'add', name]);
  live.set(name, children);
  t.after(async () => {
    await cleanup(name, children);
    live.delete(name);
  });
  const ns: Netns = {
    name,
    ip: async (...args) => (await run('ip', ['-n', name, ...args])).stdout,
    ipBatch: async (lines) => {
      await run('ip', ['-n', name, '-batch', '-'], { input: lines.join('\n') + '\n' });
    },
    addVeth: async (dev = 'v0', peer = 'v0p') => {
      await ns.ip('link', 'add', dev, 'type', 'veth', 'peer', 'name', peer);
      await ns.ip('link', 'set', dev, 'up');
      await ns.ip('link', 'set', peer, 'up');
    },
    exec: (cmd, args = [], opts = {}) => execIn(name, cmd, args, opts),
    spawn: (cmd, args = [], opts = {}) => {
      const child = spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: 'pipe', ...opts });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    nodeProcess: (scriptPath, args = [], env = {}) =>
      ns.spawn(process.execPath, [scriptPath, ...args], { env: { ...process.env, ...env } }),
  };
  await ns.ip('link', 'set', 'lo', 'up');
  return ns;
}

/** createNetns + run `fn`; does nothing when the test was skipped. */
export async function withNetns(t: TestContext, fn: (ns: Netns) => Promise<void>): Promise<void> {
  const ns = await createNetns(t);
  if (ns) await fn(ns);
}

async function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  const r = await execCollect(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r;
}

function execIn(name: string, cmd: string, args: string[], opts: { timeoutMs?: number; input?: string }) {
  return execCollect('ip', ['netns', 'exec', name, cmd, ...args], opts);
}

function execCollect(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number }): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${opts.timeoutMs ?? CMD_TIMEOUT_MS} ms)`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? CMD_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // the program may exit without reading it all
      child.stdin.end(opts.input);
    }
  });
}

/** Kills what the test started (and anything else left inside), then deletes the namespace. */
async function cleanup(name: string, children: Set<ChildProcess>): Promise<void> {
  await Promise.all([...children].map((c) => stop(c)));
  const pids = await execCollect('ip', ['netns', 'pids', name], { timeoutMs: 5000 });
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const del = await execCollect('ip', ['netns', 'del', name], { timeoutMs: 5000 });
  if (del.code !== 0) console.error(`netns cleanup: ip netns del ${name}: ${del.stderr.trim()}`);
}

/** SIGTERM, then SIGKILL after a second; resolves once the process is gone (or after 3 s). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(hard);
      clearTimeout(giveUp);
      resolve();
    };
    child.once('exit', done);
    const hard = setTimeout(() => child.kill('SIGKILL'), 1000);
    const giveUp = setTimeout(done, 3000);
    child.kill('SIGTERM');
  });
}
