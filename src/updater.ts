// Runs the record book: asks each record what to do, sends what it says, feeds
// the answers back, and sleeps until the earliest moment a record wants to act.
// The rules live in engine/; this is only the loop and the log lines.
import type { Log } from './log';
import type { Outcome } from './types';
import type { Entry, RecordBook } from './engine/book';
import { recordLabel } from './engine/book';
import type { Clock } from './engine/persist';
import type { Decision, SendReason } from './engine/record';

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
}

/** setTimeout takes at most 2^31-1 ms; further wakes are re-evaluated then. */
const MAX_SLEEP = 2 ** 31 - 1;

export class Updater {
  private timer: unknown = null;
  private inflight = new Set<Promise<void>>();
  /** The last wait announced per record, so that a wait is logged once, not at every wake. */
  private announced = new Map<string, string>();
  private closed = false;
  private readonly timers: Timers;

  constructor(private readonly deps: UpdaterDeps) {
    this.timers = deps.timers ?? realTimers;
  }

  /** Re-evaluates every record now. Cheap; call it after any change. */
  kick(): void {
    if (this.closed) return;
    const { book, clock } = this.deps;
    const now = clock.now();
    let wake = Infinity;
    for (const entry of book.entries.values()) {
      const d = entry.machine.decide(now);
      if (d.kind === 'send') this.start(entry, d.address, d.reason, now);
      else if (d.kind === 'wait') {
        this.announce(entry, d);
        wake = Math.min(wake, d.at);
      }
    }
    this.schedule(wake, now);
  }

  /** Resolves once no request is in flight (new ones started meanwhile included). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  inFlight(): number {
    return this.inflight.size;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
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

  private start(entry: Entry, address: string, reason: SendReason, now: number): void {
    const { log, clock, book } = this.deps;
    const label = recordLabel(entry);
    const previous = entry.machine.memory.registered;
    entry.machine.begin(address, now);
    this.announced.delete(entry.id);
    if (this.deps.dryRun) {
      log.info(`${label}: would send ${address} (${reasonText(reason, previous)}; dry run)`);
      book.applyOutcome(entry, { kind: 'ok', message: 'dry run' }, now);
      this.deps.changed();
      return;
    }
    log.info(`${label}: sending ${address} (${reasonText(reason, previous)})`);
    this.deps.changed();
    const p = this.deps
      .send(entry, address)
      .catch((e: unknown): SendOutcome => ({
        // send() returns outcomes; anything thrown is a bug, reported as trouble rather than a crash
        outcome: { kind: 'trouble', message: `internal error: ${(e as Error)?.message ?? String(e)}` },
        elapsedMs: 0,
      }))
      .then(({ outcome, elapsedMs }) => {
        const reached = book.applyOutcome(entry, outcome, clock.now());
        this.report(entry, address, previous, reason, outcome, elapsedMs, reached);
        this.deps.changed();
      })
      .finally(() => {
        this.inflight.delete(p);
        this.kick();
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
