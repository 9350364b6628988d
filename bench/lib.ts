// Shared by the benchmarks: a namespace with N veth devices, the test provider
// and the shipped daemon inside it, and /proc readings of a process.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnProvider } from '../test/provider/remote';
import type { SpawnedProvider } from '../test/provider/remote';
import { Daemon } from '../test/support/updyn';

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export function ip(ns: string, ...args: string[]): void {
  const r = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip -n ${ns} ${args.join(' ')}: ${r.stderr.trim()}`);
}

export interface Lab {
  ns: string;
  dir: string;
  provider: SpawnedProvider;
  daemon: Daemon;
  close(): Promise<void>;
}

/** One service per device v1..vN, IPv4 only, each record its own token bucket. */
export async function startLab(devices: number, opts: { env?: Record<string, string>; setup?: (ns: string) => void } = {}): Promise<Lab> {
  if (process.getuid?.() !== 0) throw new Error('the benchmarks need root (network namespaces)');
  const ns = `updyn-bench-${process.pid}`;
  spawnSync('ip', ['netns', 'del', ns]);
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`ip netns add: ${add.stderr}`);
  ip(ns, 'link', 'set', 'lo', 'up');
  for (let i = 1; i <= devices; i++) {
    ip(ns, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', `p${i}`);
    ip(ns, 'link', 'set', `v${i}`, 'up');
    ip(ns, 'link', 'set', `p${i}`, 'up');
  }
  opts.setup?.(ns);
  const dir = mkdtempSync(join(tmpdir(), 'updyn-bench-'));
  const hosts = Array.from({ length: devices }, (_, i) => `h${i + 1}.example.com`);
  const provider = await spawnProvider(['--quiet', '--account', `bench@example.com:bench-token-123:${hosts.join(',')}`], { netns: ns });
  const conf = join(dir, 'updyn.conf');
  let text = `config updyn 'global'\n\toption log_level 'info'\n\toption state_dir '${dir}/state'\n`;
  for (let i = 1; i <= devices; i++) {
    text += `\nconfig service 's${i}'\n\toption enabled '1'\n\toption update_url '${provider.url}/dynamic'\n\toption username 'bench@example.com'\n\toption password 'bench-token-123'\n\tlist host 'h${i}.example.com'\n\toption device 'v${i}'\n\toption ipv6 '0'\n\toption ip_source 'interface'\n`;
  }
  writeFileSync(conf, text, { mode: 0o600 });
  const daemon = new Daemon(['-c', conf], { netns: ns, env: opts.env ?? {} });
  await daemon.waitFor(/updyn started/, 15_000);
  return {
    ns,
    dir,
    provider,
    daemon,
    async close() {
      await daemon.stop();
      await provider.stop();
      spawnSync('ip', ['netns', 'del', ns]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProcReading {
  cpuMs: number;
  rssKb: number;
  pssKb: number | null;
}

const CLK_TCK = 100;

export function readProc(pid: number): ProcReading {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  let pssKb: number | null = null;
  try {
    pssKb = Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  } catch {
    pssKb = null;
  }
  return { cpuMs: (ticks * 1000) / CLK_TCK, rssKb, pssKb };
}

/** A bare node process (what any Node program costs), for comparison. */
export function bareNode(): { pid: number; kill(): void } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  return { pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function stats(values: number[]): { median: number; p90: number; max: number; min: number } {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]!;
  return { median: at(0.5), p90: at(0.9), max: s[s.length - 1]!, min: s[0]! };
}

/** A reaction: ms from `ip` starting, and from `ip` exiting, to the request at the provider. */
export type Reaction = [fromStart: number, fromExit: number];

async function react(lab: Lab, address: string, ipArgs: string[], input?: string): Promise<Reaction> {
  const t0 = nowMs();
  const r = spawnSync('ip', ['-n', lab.ns, ...ipArgs], { input });
  const t1 = nowMs();
  if (r.status !== 0) throw new Error(`ip ${ipArgs.join(' ')} failed: ${r.stderr}`);
  const [req] = await lab.provider.waitForRequests(1, 10_000, (x) => x.endpoint === 'update' && x.ip === address);
  await sleep(50);
  return [req!.clockMs - t0, req!.clockMs - t1];
}

/**
 * The two kinds of change, one per device each: `first`, an address appears
 * where none was registered; `change`, a registered address is replaced (ip
 * -batch: del old, add new), which also saves the state before sending.
 */
export async function measureReactions(lab: Lab, changes: number): Promise<{ first: Reaction[]; change: Reaction[] }> {
  const first: Reaction[] = [];
  const change: Reaction[] = [];
  for (let i = 1; i <= changes; i++) {
    first.push(await react(lab, `203.0.113.${i + 10}`, ['addr', 'add', `203.0.113.${i + 10}/24`, 'dev', `v${i}`]));
  }
  for (let i = 1; i <= changes; i++) {
    const batch = `addr del 203.0.113.${i + 10}/24 dev v${i}\naddr add 198.51.100.${i + 10}/24 dev v${i}\n`;
    change.push(await react(lab, `198.51.100.${i + 10}`, ['-batch', '-'], batch));
  }
  return { first, change };
}
