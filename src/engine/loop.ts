// Runs the record book: asks each record what to do, sends what it says (or
// first asks DNS, for verify_dns), feeds the answers back, and sleeps until
// the earliest moment a record wants to act. The rules live in record.ts and
// book.ts, the wording in messages.ts; this is only the loop.
import type { Clock, DnsCheck, Log, Outcome, Timers } from '../types';
import { realTimers } from '../lib/clock';
import { redact } from '../lib/secrets';
import type { Entry, RecordBook } from './book';
import { MATCHED_DNS, dnsCheckLine, okLine, reachLine, rejectedLine, sendingLine, troubleLine, waitLine } from './messages';
import type { Decision, SendReason } from './record';

export interface SendOutcome {
  outcome: Outcome;
  elapsedMs: number;
}

export interface UpdaterDeps {
  book: RecordBook;
  clock: Clock;
  log: Log;
  send(entry: Entry, address: string): Promise<SendOutcome>;
  /** verify_dns: whether DNS already holds `address` for the record. Never throws. */
  lookup?(entry: Entry, address: string): Promise<DnsCheck>;
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
 * Requests (and DNS lookups) in flight at once. Each holds a socket: thousands
 * of records would otherwise open thousands at once and run out of file
 * descriptors (1024 on a router). The rest go as soon as one finishes.
 */
export const MAX_IN_FLIGHT = 32;

export class Updater {
  private timer: unknown = null;
  private inflight = new Set<Promise<void>>();
  /** The last wait announced per record, so that a wait is logged once, not at every wake. */
  private announced = new Map<string, string>();
  /** Records whose DNS lookup is out, and the address DNS was last asked about (once per address). */
  private readonly checking = new Set<string>();
  private readonly dnsAsked = new Map<string, string>();
  private closed = false;
  private readonly timers: Timers;
  private readonly saveAhead: (() => Promise<unknown>) | null;
  private kickPending: Promise<void> | null = null;

  constructor(private readonly deps: UpdaterDeps) {
    this.timers = deps.timers ?? realTimers;
    // a save asked for while one runs shares the next: see StateStore.save
    this.saveAhead = deps.beforeSend && !deps.dryRun ? deps.beforeSend : null;
  }

  /** Re-evaluates every record now. Cheap; call it after any change. */
  kick(): void {
    if (this.closed) return;
    const { book, clock } = this.deps;
    const now = clock.now();
    let wake = Infinity;
    const starting: [Entry, string, SendReason][] = [];
    for (const entry of book.entries.values()) {
      if (this.checking.has(entry.id)) continue;
      const d = entry.machine.decide(now);
      if (d.kind === 'send') {
        if (!this.deps.dryRun && this.inflight.size + starting.length >= MAX_IN_FLIGHT) continue;
        if (this.wantsDns(entry, d.address)) {
          this.startLookup(entry, d.address);
          continue;
        }
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

  /** Resolves once no request or lookup is in flight (new ones started meanwhile included). */
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

  /**
   * verify_dns asks DNS before a record's first request: after a reboot the
   * state (on tmpfs) knows nothing, while the provider still holds the name.
   * A confirmed registration is never second-guessed.
   */
  private wantsDns(entry: Entry, address: string): boolean {
    return Boolean(this.deps.lookup && entry.verifyDns && entry.machine.memory.registered === null && this.dnsAsked.get(entry.id) !== address);
  }

  private startLookup(entry: Entry, address: string): void {
    const { log, clock } = this.deps;
    this.checking.add(entry.id);
    this.dnsAsked.set(entry.id, address);
    const p = this.deps.lookup!(entry, address)
      .catch((e: unknown): DnsCheck => ({ kind: 'failed', message: `internal error: ${(e as Error)?.message ?? String(e)}` }))
      .then((check) => {
        const line = dnsCheckLine(entry, address, check);
        // the address may have moved on while DNS was asked: only the one asked about is adopted
        if (check.kind === 'match' && entry.machine.current === address) entry.machine.adopt(address, clock.now(), MATCHED_DNS);
        log[line.level](line.text);
        this.deps.changed();
      })
      .finally(() => {
        this.checking.delete(entry.id);
        this.inflight.delete(p);
        this.kickSoon();
      });
    this.inflight.add(p);
  }

  /** `entry` has begun (machine.begin); `saved` gates the request. */
  private start(entry: Entry, address: string, reason: SendReason, now: number, saved: Promise<unknown> | null): void {
    const { log, clock, book, dryRun } = this.deps;
    const previous = entry.machine.memory.registered;
    this.announced.delete(entry.id);
    log.info(sendingLine(entry, address, reason, previous, dryRun === true));
    if (dryRun) {
      book.applyOutcome(entry, { kind: 'ok', message: 'dry run' }, now);
      this.deps.changed();
      return;
    }
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
    switch (outcome.kind) {
      case 'ok':
        log.info(okLine(entry, address, previous, reason, outcome.message, ms));
        return;
      case 'rejected':
        log.error(rejectedLine(entry, outcome.message));
        if (reached.length > 0) log.error(reachLine(entry, outcome.reach, reached.length));
        return;
      case 'trouble': {
        const t = entry.machine.memory.trouble;
        const retry = t ? Math.round((t.at + t.delay - this.deps.clock.now()) / 1000) : 60;
        log.warn(troubleLine(entry, outcome.message, retry));
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
    this.deps.log.warn(waitLine(entry, d.why, address, this.deps.clock, d.at));
  }
}
