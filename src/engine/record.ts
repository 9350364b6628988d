// One record (host x family) as a small state machine. It alone decides whether
// and when to send; it never does I/O and never reads a clock: every method
// takes `now`, milliseconds on a monotonic clock, so the rules of DESIGN.md are
// testable in virtual time.
//
// The rules, in the order decide() applies them:
//   in flight        one request per record; changes meanwhile collapse into one follow-up
//   no address       nothing to publish
//   rejected         no retry until the address or config changes, SIGUSR1, or 24 h
//   dedup            the confirmed address is re-sent only by the forced refresh
//   floor / backoff  after trouble: 1 min doubling to 1 h (+0..20 % jitter); an
//                    address change skips the backoff (a new address often means
//                    the path that failed is gone), never a provider's floor
//   rate limit       token bucket: 3 tokens, one more per hour
import type { AddressSource, Outcome, Reach } from '../types';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const BUCKET_SIZE = 3;
export const TOKEN_PERIOD = HOUR;
export const BACKOFF_BASE = MINUTE;
export const BACKOFF_MAX = HOUR;
export const BACKOFF_JITTER = 0.2;
export const REJECTION_PAUSE = DAY;
/** The longest pause a provider may impose (dyndns2's 911 asks for 30 min); a stored floor is cut to it. */
export const FLOOR_MAX = DAY;
/** Failures are counted only to double the backoff; past this many it is at its maximum anyway. */
export const FAILURES_MAX = 1000;
/** The refresh goes out at a random point of this window after force_interval. */
export const REFRESH_SPREAD_MAX = HOUR;

export type SendReason = 'change' | 'refresh' | 'forced' | 'retry' | 'first';

export type Decision =
  | { kind: 'send'; address: string; reason: SendReason }
  | { kind: 'wait'; at: number; why: 'refresh' | 'rejected' | 'backoff' | 'floor' | 'rate-limit' }
  | { kind: 'idle'; why: 'in-flight' | 'no-address' };

export interface Rejection {
  at: number;
  /** The address whose sending was rejected; another address lifts the rejection. */
  address: string | null;
  message: string;
  reach: Reach;
}

export interface Trouble {
  failures: number;
  at: number;
  delay: number;
  address: string;
  message: string;
}

/** Everything a record remembers; timestamps are monotonic ms (state.ts converts). */
export interface RecordMemory {
  registered: string | null;
  registeredAt: number | null;
  tokens: number;
  tokensAt: number;
  trouble: Trouble | null;
  floorUntil: number | null;
  rejected: Rejection | null;
  refreshSpread: number;
  lastAttemptAt: number | null;
  lastMessage: string;
}

export interface RecordPolicy {
  forceIntervalMs: number;
  random: () => number;
}

export function freshMemory(now: number, policy: RecordPolicy): RecordMemory {
  return {
    registered: null,
    registeredAt: null,
    tokens: BUCKET_SIZE,
    tokensAt: now,
    trouble: null,
    floorUntil: null,
    rejected: null,
    refreshSpread: refreshSpread(policy),
    lastAttemptAt: null,
    lastMessage: '',
  };
}

export class RecordMachine {
  current: string | null = null;
  source: AddressSource | null = null;
  inflight: { address: string; startedAt: number } | null = null;
  private forced = false;

  constructor(
    public memory: RecordMemory,
    public policy: RecordPolicy,
  ) {}

  /** The address detection now says is publishable (null: none). */
  observe(address: string | null, source: AddressSource | null): boolean {
    const changed = address !== this.current;
    this.current = address;
    this.source = address === null ? null : source;
    return changed;
  }

  /** SIGUSR1: send now even if confirmed, lifting a rejection; tokens are still spent. */
  force(): void {
    this.forced = true;
  }

  get isForced(): boolean {
    return this.forced;
  }

  decide(now: number): Decision {
    const m = this.memory;
    if (this.inflight) return { kind: 'idle', why: 'in-flight' };
    const address = this.current;
    if (address === null) return { kind: 'idle', why: 'no-address' };

    if (m.rejected && !this.rejectionLifted(now, address)) {
      return { kind: 'wait', at: m.rejected.at + REJECTION_PAUSE, why: 'rejected' };
    }

    const refreshAt = this.refreshAt();
    const changed = address !== m.registered;
    const due = this.forced || changed || (refreshAt !== null && now >= refreshAt);
    if (!due) return { kind: 'wait', at: refreshAt ?? Infinity, why: 'refresh' };

    if (m.floorUntil !== null && now < m.floorUntil) return { kind: 'wait', at: m.floorUntil, why: 'floor' };
    if (m.trouble && !this.forced && address === m.trouble.address) {
      const retryAt = m.trouble.at + m.trouble.delay;
      if (now < retryAt) return { kind: 'wait', at: retryAt, why: 'backoff' };
    }

    const tokens = this.tokensAt(now);
    if (tokens < 1) return { kind: 'wait', at: now + Math.ceil((1 - tokens) * TOKEN_PERIOD), why: 'rate-limit' };

    const reason: SendReason = this.forced
      ? 'forced'
      : m.trouble && address === m.trouble.address
        ? 'retry'
        : changed
          ? m.registered === null
            ? 'first'
            : 'change'
          : 'refresh';
    return { kind: 'send', address, reason };
  }

  /** A request for `address` leaves now: it spends a token. */
  begin(address: string, now: number): void {
    const m = this.memory;
    m.tokens = this.tokensAt(now) - 1;
    // never backwards: a stamp from the future (the clock was ahead, then came
    // back) stays, so the time between only refills once the clock passes it
    // again, and a clock jumping back and forth refills at most once
    m.tokensAt = Math.max(m.tokensAt, now);
    m.lastAttemptAt = now;
    // decide() let this through, so any rejection on record no longer holds
    m.rejected = null;
    this.inflight = { address, startedAt: now };
    this.forced = false;
  }

  /** The answer to the request begun last. */
  finish(outcome: Outcome, now: number): void {
    const m = this.memory;
    const address = this.inflight?.address ?? this.current ?? '';
    this.inflight = null;
    m.lastMessage = outcome.message;
    switch (outcome.kind) {
      case 'ok':
        m.registered = address;
        m.registeredAt = now;
        m.trouble = null;
        m.rejected = null;
        m.refreshSpread = refreshSpread(this.policy);
        break;
      case 'rejected':
        m.trouble = null;
        m.rejected = { at: now, address, message: outcome.message, reach: outcome.reach };
        break;
      case 'trouble': {
        const failures = (m.trouble?.failures ?? 0) + 1;
        let delay = backoffDelay(failures, this.policy.random);
        if (outcome.floor) {
          delay = Math.max(delay, outcome.floor * 1000);
          this.applyFloor(now + outcome.floor * 1000);
        }
        m.trouble = { failures, at: now, delay, address, message: outcome.message };
        break;
      }
    }
  }

  /** A sibling's answer about the whole service or host reaches this record too. */
  rejectAlong(rejection: Omit<Rejection, 'address'>): void {
    this.memory.rejected = { ...rejection, address: this.current };
    this.memory.trouble = null;
  }

  applyFloor(until: number): void {
    const m = this.memory;
    m.floorUntil = Math.max(m.floorUntil ?? 0, until);
  }

  /**
   * DNS already holds `address` for a record the state has never confirmed
   * (verify_dns): it counts as registered now, as if the provider had said so,
   * and nothing is sent. Returns whether it did. A rejection on record is left
   * alone: it is about the provider, which DNS cannot speak for.
   */
  adopt(address: string, now: number, message: string): boolean {
    const m = this.memory;
    if (m.registered !== null) return false;
    m.registered = address;
    m.registeredAt = now;
    m.lastMessage = message;
    // an earlier attempt that timed out may well have landed: nothing left to retry
    m.trouble = null;
    return true;
  }

  /** Config of the service changed: what it rejected may now pass. */
  liftRejection(): void {
    this.memory.rejected = null;
  }

  refreshAt(): number | null {
    const m = this.memory;
    if (m.registeredAt === null) return null;
    return m.registeredAt + this.policy.forceIntervalMs + m.refreshSpread;
  }

  /** Only positive elapsed time refills (a stamp ahead of `now` gains nothing). */
  tokensAt(now: number): number {
    const m = this.memory;
    const gained = Math.max(0, now - m.tokensAt) / TOKEN_PERIOD;
    return Math.min(BUCKET_SIZE, m.tokens + gained);
  }

  private rejectionLifted(now: number, address: string): boolean {
    const r = this.memory.rejected;
    if (!r) return true;
    return this.forced || address !== r.address || now >= r.at + REJECTION_PAUSE;
  }
}

export function backoffDelay(failures: number, random: () => number): number {
  const base = Math.min(BACKOFF_BASE * 2 ** Math.min(failures - 1, 30), BACKOFF_MAX);
  return Math.round(base * (1 + BACKOFF_JITTER * random()));
}

function refreshSpread(policy: RecordPolicy): number {
  const window = Math.min(policy.forceIntervalMs / 10, REFRESH_SPREAD_MAX);
  return Math.round(window * policy.random());
}
