// Runs the record book: asks each record what to do, sends what it says, feeds
// the answers back, and sleeps until the earliest moment a record wants to act.
// The rules live in engine/; this is only the loop and the log lines.
import type { Log } from '../output/log';
import type { Outcome } from '../types';
import { redact } from '../lib/secrets';
import type { Entry, RecordBook } from './book';
import { recordLabel } from './book';
import type { Clock } from './persist';
import type { Decision, SendReason } from './record';

export interface SendOutcome {
  outcome: Outcome;
  elapsedMs: number;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface UpdaterDeps {
  book: RecordBook;
  clock: Clock;
  log: Log;
  send(entry: Entry, address: string): Promise<SendOutcome>;
  /** Something worth persisting (and showing in status.json) happened. */
  changed(): void;
  timers?: Timers;
  dryRun?: boolean;
  /**
   * Resolves once the records just begun are saved (write-ahead): a process
   * killed after the provider's answer but before the next save then knows the
   * request was out, rather than trusting the registration before it.
   */
  beforeSend?: () => Promise<unknown>;
}

/** setTimeout takes at most 2^31-1 ms; further wakes are re-evaluated then. */
const MAX_SLEEP = 2 ** 31 - 1;

/**
 * Requests in flight at once. Each holds a socket: thousands of records would
 * otherwise open thousands at once and run out of file descriptors (1024 on a
 * router). The rest go as soon as one finishes (each answer kicks again).
 */
export const MAX_IN_FLIGHT = 32;

export class Updater {
  private timer: unknown = null;
  private inflight = new Set<Promise<void>>();
  /** The last wait announced per record, so that a wait is logged once, not at every wake. */
  private announced = new Map<string, string>();
  private closed = false;
  private readonly timers: Timers;
  private readonly saveAhead: (() => Promise<unknown>) | null;
  private kickPending: Promise<void> | null = null;

  constructor(private readonly deps: UpdaterDeps) {
    this.timers = deps.timers ?? realTimers;
    this.saveAhead = deps.beforeSend && !deps.dryRun ? coalesced(deps.beforeSend) : null;
  }

  /** Re-evaluates every record now. Cheap; call it after any change. */
  kick(): void {
    if (this.closed) return;
    const { book, clock } = this.deps;
    const now = clock.now();
    let wake = Infinity;
    const starting: [Entry, string, SendReason][] = [];
    for (const entry of book.entries.values()) {
      const d = entry.machine.decide(now);
      if (d.kind === 'send') {
        if (!this.deps.dryRun && this.inflight.size + starting.length >= MAX_IN_FLIGHT) continue;
        starting.push([entry, d.address, d.reason]);
        entry.machine.begin(d.address, now);
      } else if (d.kind === 'wait') {
        this.announce(entry, d);
        wake = Math.min(wake, d.at);
      }
    }
    if (starting.length > 0) {
      // One save for every record begun by this pass, before any request leaves.
      // Only a registration that the request would replace can turn into a lie.
      const replaces = starting.some(([e, address]) => e.machine.memory.registered !== null && e.machine.memory.registered !== address);
      const saved = this.saveAhead && replaces ? this.saveAhead().catch(() => undefined) : null;
      for (const [entry, address, reason] of starting) this.start(entry, address, reason, now, saved);
    }
    this.schedule(wake, now);
  }

  /** Resolves once no request is in flight (new ones started meanwhile included). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0 || this.kickPending) await Promise.all([...this.inflight, this.kickPending]);
  }

  inFlight(): number {
    return this.inflight.size;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  /**
   * A kick once the current burst of answers is in: one pass over the records
   * for many answers, not one each (thousands of records made that quadratic).
   */
  private kickSoon(): void {
    if (this.kickPending) return;
    this.kickPending = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.kickPending = null;
        this.kick();
        resolve();
      }),
    );
  }

  private schedule(wake: number, now: number): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    if (!Number.isFinite(wake)) return;
    // +1 ms: wake after the deadline, not a hair before it (timers round)
    const delay = Math.min(Math.max(0, Math.ceil(wake - now) + 1), MAX_SLEEP);
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.kick();
    }, delay);
  }

  /** `entry` has begun (machine.begin) with `previous` as its registration; `saved` gates the request. */
  private start(entry: Entry, address: string, reason: SendReason, now: number, saved: Promise<unknown> | null): void {
    const { log, clock, book } = this.deps;
    const label = recordLabel(entry);
    const previous = entry.machine.memory.registered;
    this.announced.delete(entry.id);
    if (this.deps.dryRun) {
      log.info(`${label}: would send ${address} (${reasonText(reason, previous)}; dry run)`);
      book.applyOutcome(entry, { kind: 'ok', message: 'dry run' }, now);
      this.deps.changed();
      return;
    }
    log.info(`${label}: sending ${address} (${reasonText(reason, previous)})`);
    this.deps.changed();
    const p = (saved ? saved.then(() => this.deps.send(entry, address)) : this.deps.send(entry, address))
      .catch((e: unknown): SendOutcome => ({
        // send() returns outcomes; anything thrown is a bug, reported as trouble rather than a crash
        outcome: { kind: 'trouble', message: `internal error: ${(e as Error)?.message ?? String(e)}` },
        elapsedMs: 0,
      }))
      .then(({ outcome: answered, elapsedMs }) => {
        // the message goes to status.json and state.json, which no log sink redacts
        const outcome = { ...answered, message: redact(answered.message) };
        const reached = book.applyOutcome(entry, outcome, clock.now());
        this.report(entry, address, previous, reason, outcome, elapsedMs, reached);
        this.deps.changed();
      })
      .finally(() => {
        this.inflight.delete(p);
        this.kickSoon();
      });
    this.inflight.add(p);
  }

  private report(entry: Entry, address: string, previous: string | null, reason: SendReason, outcome: Outcome, ms: number, reached: Entry[]): void {
    const { log } = this.deps;
    const label = recordLabel(entry);
    switch (outcome.kind) {
      case 'ok': {
        const what =
          reason === 'refresh' ? `refreshed ${address}` : previous && previous !== address ? `updated ${previous} -> ${address}` : `updated ${address}`;
        log.info(`${label}: ${what} (${outcome.message}, ${ms} ms)`);
        return;
      }
      case 'rejected': {
        log.error(`${label}: rejected by provider (${outcome.message}); not retrying until config or address changes`);
        if (reached.length > 0) {
          const scope = outcome.reach === 'service' ? `every record of ${entry.service}` : `every record of ${entry.host}`;
          log.error(`${entry.service}: ${scope} stops too (${reached.length} more); lifted by a config change, SIGUSR1 or in 24 h`);
        }
        return;
      }
      case 'trouble': {
        const t = entry.machine.memory.trouble;
        const retry = t ? Math.round((t.at + t.delay - this.deps.clock.now()) / 1000) : 60;
        log.warn(`${label}: provider trouble (${outcome.message}); retry in ${formatDuration(Math.max(retry, 0))}`);
        return;
      }
    }
  }

  private announce(entry: Entry, d: Extract<Decision, { kind: 'wait' }>): void {
    if (d.why === 'refresh' || d.why === 'backoff' || d.why === 'rejected') return; // said when the answer came
    const address = entry.machine.current ?? '';
    const key = `${d.why} ${address}`;
    if (this.announced.get(entry.id) === key) return;
    this.announced.set(entry.id, key);
    const at = clockTime(this.deps.clock, d.at);
    const label = recordLabel(entry);
    if (d.why === 'rate-limit') this.deps.log.warn(`${label}: rate limited; ${address} will be sent at ${at}`);
    else this.deps.log.warn(`${label}: provider asked for a pause; ${address} will be sent at ${at}`);
  }
}

/**
 * `fn` called by many, run by few: a call while a run is going on shares the one
 * queued behind it, which starts (and so looks at the records) only after that
 * call. Under a burst of answers the saves go back to back, not one per request.
 */
function coalesced(fn: () => Promise<unknown>): () => Promise<unknown> {
  let running: Promise<unknown> | null = null;
  let queued: Promise<unknown> | null = null;
  const start = () => (running = fn().finally(() => (running = null)));
  return () => {
    if (queued) return queued;
    if (!running) return start();
    queued = running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return start();
      });
    return queued;
  };
}

function reasonText(reason: SendReason, previous: string | null): string {
  switch (reason) {
    case 'first':
      return 'no registration known';
    case 'change':
      return `registered ${previous ?? 'nothing'}`;
    case 'refresh':
      return 'periodic refresh';
    case 'forced':
      return 'forced';
    case 'retry':
      return 'retry';
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** A monotonic instant as local wall-clock HH:MM. */
function clockTime(clock: Clock, at: number): string {
  const d = new Date(clock.wall() + (at - clock.now()));
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
