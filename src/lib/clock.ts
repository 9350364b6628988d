// Time as every long-lived part takes it: injected, so that rate limits,
// backoff and polls are tested in virtual time instead of by sleeping.

export interface Clock {
  /** Monotonic milliseconds (intervals). */
  now(): number;
  /** Wall-clock epoch milliseconds (only for files and display). */
  wall(): number;
}

export const systemClock: Clock = { now: () => performance.now(), wall: () => Date.now() };

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};
