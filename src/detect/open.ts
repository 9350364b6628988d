// The choice between the two address watchers: rtnetlink events when the
// native addon loads, polling when it does not (musl router, other arch, or
// UPDYN_NETLINK_ADDON=off).
import type { DeviceSnapshot } from '../types';
import type { AddressWatcher, WatcherOptions } from './watcher';
import { loadNetlink } from './netlink-module';
import { NetlinkWatcher, readNetlink } from './netlink';
import { PollWatcher, readPoll } from './poll';

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
