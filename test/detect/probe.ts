// The test side of watch-probe.ts: starts it inside a namespace, collects its
// JSON lines, and waits (always bounded) for what a test expects to see.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DeviceSnapshot, Family } from '../../src/types';
import { builtPath } from '../support/env';
import type { Netns } from '../support/netns';

export type Kind = 'netlink' | 'poll';

export interface ProbeEvent {
  event: string;
  kind?: Kind;
  reason?: string;
  message?: string;
  snapshot?: DeviceSnapshot;
  snapshots?: Record<string, DeviceSnapshot>;
  bytes?: number | null;
  timedOut?: boolean;
}

const probeScript = builtPath('test/detect/watch-probe');
/** Poll period for the fallback under test: short, so that tests stay quick. */
export const POLL_MS = 100;

export class Probe {
  readonly events: ProbeEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private exitCode: number | null | undefined;
  stderr = '';

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.events.push(JSON.parse(line, (k, v: unknown) => (v === 'forever' ? Infinity : v)) as ProbeEvent);
      this.wake();
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', (code) => {
      this.exitCode = code;
      this.wake();
    });
  }

  /** `watch` mode for `kind` (poll forced with UPDYN_NETLINK_ADDON=off), resolved once it is ready. */
  static async watch(ns: Netns, kind: Kind, devices: string[]): Promise<Probe> {
    const env: Record<string, string> = kind === 'poll' ? { UPDYN_NETLINK_ADDON: 'off' } : {};
    const p = new Probe(ns.nodeProcess(probeScript, ['watch', devices.join(','), String(POLL_MS)], env));
    const ready = await p.waitFor((e) => e.event === 'ready', 'the watcher to start', 10_000);
    if (ready.kind !== kind) throw new Error(`expected a ${kind} watcher, got ${ready.kind}`);
    return p;
  }

  /** `once` mode: the readDevices answer. */
  static async once(ns: Netns, kind: Kind, devices: string[]): Promise<ProbeEvent> {
    const env: Record<string, string> = kind === 'poll' ? { UPDYN_NETLINK_ADDON: 'off' } : {};
    const p = new Probe(ns.nodeProcess(probeScript, ['once', devices.join(',')], env));
    return p.waitFor((e) => e.event === 'once', 'readDevices to answer', 10_000);
  }

  send(cmd: object): void {
    this.child.stdin!.write(JSON.stringify(cmd) + '\n');
  }

  /** The first event at or after index `from` that satisfies `pred`. */
  waitFor(pred: (e: ProbeEvent) => boolean, what: string, timeoutMs = 5000, from = 0): Promise<ProbeEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const fatal = this.events.find((e) => e.event === 'fatal');
        const hit = this.events.slice(from).find(pred);
        if (hit || fatal || this.exitCode !== undefined) {
          this.waiters.delete(check);
          clearTimeout(timer);
          if (hit) resolve(hit);
          else reject(new Error(`probe ${fatal ? `failed: ${fatal.message}` : `exited (${this.exitCode})`} waiting for ${what}; stderr: ${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const last = JSON.stringify(this.events.slice(-2));
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last events: ${last.slice(0, 1500)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** The latest snapshot of `device` the watcher has reported (ready, change or snapshot answer). */
  latest(device: string): DeviceSnapshot | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i] as ProbeEvent;
      if (e.snapshot?.name === device) return e.snapshot;
      if (e.snapshots?.[device]) return e.snapshots[device];
    }
    return undefined;
  }

  /** Waits until the latest reported snapshot of `device` satisfies `pred`. */
  async until(device: string, pred: (s: DeviceSnapshot) => boolean, what: string, timeoutMs = 5000): Promise<DeviceSnapshot> {
    await this.waitFor(
      () => {
        const s = this.latest(device);
        return s !== undefined && pred(s);
      },
      `${device}: ${what}`,
      timeoutMs,
    );
    return this.latest(device) as DeviceSnapshot;
  }

  /** Asks for a fresh snapshot (no event needed) and returns it. */
  async snapshot(device: string): Promise<DeviceSnapshot> {
    const from = this.events.length;
    this.send({ cmd: 'snapshot', device });
    const e = await this.waitFor((x) => x.event === 'snapshot', `snapshot of ${device}`, 5000, from);
    return e.snapshot as DeviceSnapshot;
  }

  changes(device: string, from = 0): DeviceSnapshot[] {
    return this.events
      .slice(from)
      .filter((e) => e.event === 'change' && e.snapshot?.name === device)
      .map((e) => e.snapshot as DeviceSnapshot);
  }

  exited(timeoutMs: number): Promise<number | null> {
    return new Promise((resolve, reject) => {
      if (this.exitCode !== undefined) return resolve(this.exitCode);
      const timer = setTimeout(() => reject(new Error(`probe still running after ${timeoutMs} ms`)), timeoutMs);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export const addressesOf = (s: DeviceSnapshot | undefined, family?: Family): string[] =>
  (s?.addresses ?? []).filter((a) => !family || a.family === family).map((a) => a.address);

export const has = (s: DeviceSnapshot, address: string) => s.addresses.find((a) => a.address === address);
