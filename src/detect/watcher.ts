// The one interface the daemon uses to follow device addresses, and the choice
// between its two implementations: rtnetlink events when the native addon
// loads, polling when it does not (musl router, other arch, or
// UPDYN_NETLINK_ADDON=off). This layer never logs: trouble leaves as events
// or as the `onFallback` reason, and the caller words the log line.
import type { TypedEmitter } from 'tiny-typed-emitter';
import type { DeviceSnapshot } from '../types';
import { loadNetlink } from './netlink-module';
import { NetlinkWatcher, readNetlink } from './netlink';
import { PollWatcher, readPoll } from './poll';

export interface WatcherEvents {
  /** a watched device's addresses/flags/link state changed (full new snapshot; only when something relevant differs) */
  change: (snapshot: DeviceSnapshot) => void;
  /** recovered trouble worth one log line (resync after ENOBUFS, socket closed and reopened...) */
  warning: (message: string) => void;
}

export interface AddressWatcher extends TypedEmitter<WatcherEvents> {
  readonly kind: 'netlink' | 'poll';
  /** Resolves after the initial dump (or first poll). */
  start(): Promise<void>;
  /**
   * The device NAMES to follow, replacing the previous set. No event for what
   * snapshot() already shows of a new one; an event when it turns out
   * otherwise (the poll watcher reads a new device just after this call).
   */
  watch(devices: string[]): void;
  /** `present: false` when the device does not exist now. */
  snapshot(device: string): DeviceSnapshot;
  /** Re-read everything now and emit what changed (SIGUSR2, or any doubt); resolves after the emits. */
  refresh(): Promise<void>;
  /** Leaves no timer, socket or listener behind. */
  close(): void;
}

export interface WatcherOptions {
  devices: string[];
  /** poll fallback period, default 30 s */
  pollIntervalMs?: number;
  /** called once, with the reason, when the poll fallback is used */
  onFallback?: (reason: string) => void;
}

/** A started watcher: netlink when the addon loads and the kernel answers, else polling. */
export async function createWatcher(opts: WatcherOptions): Promise<AddressWatcher> {
  const nl = loadNetlink();
  let reason: string;
  if (nl.ok) {
    const w = new NetlinkWatcher(nl.value, opts.devices);
    try {
      await w.start();
      return w;
    } catch (e) {
      w.close();
      reason = `netlink unusable: ${(e as Error).message}`;
    }
  } else {
    reason = nl.error;
  }
  opts.onFallback?.(reason);
  const p = new PollWatcher(opts.devices, opts.pollIntervalMs);
  await p.start();
  return p;
}

/** One reading of `devices`, for `updyn once`: a netlink dump, else what polling sees. */
export async function readDevices(
  devices: string[],
): Promise<{ kind: 'netlink' | 'poll'; snapshots: Map<string, DeviceSnapshot> }> {
  const nl = loadNetlink();
  if (nl.ok) {
    try {
      return { kind: 'netlink', snapshots: await readNetlink(nl.value, devices) };
    } catch {
      // fall through: the same answer, read the slower way
    }
  }
  return { kind: 'poll', snapshots: await readPoll(devices) };
}
