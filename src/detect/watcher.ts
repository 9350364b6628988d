// The one interface the daemon uses to follow device addresses; open.ts
// chooses between its two implementations (netlink.ts, poll.ts). This layer
// never logs: trouble leaves as events or as the `onFallback` reason, and the
// caller words the log line.
import type { TypedEmitter } from 'tiny-typed-emitter';
import type { DeviceSnapshot } from '../types';

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
