// RecordMemory <-> the JSON of state.json. In memory, times are monotonic ms;
// on disk they are wall-clock ISO strings, because they must survive the
// process (cron runs `updyn once` every minute). Only past events are stored
// (never deadlines), so a timestamp from the future can only mean the clock
// was wrong when it was written: it is treated as unknown, i.e. "just now",
// which errs on the side of not sending.
import { isIP } from 'node:net';
import type { Clock, Reach } from '../types';
import type { RecordMemory, RecordPolicy } from './record';
import { BACKOFF_BASE, BACKOFF_JITTER, BACKOFF_MAX, BUCKET_SIZE, FAILURES_MAX, FLOOR_MAX, REFRESH_SPREAD_MAX, freshMemory } from './record';

export const STATE_VERSION = 1;

export interface PersistedRecord {
  registered: string | null;
  registered_at: string | null;
  tokens: number;
  tokens_at: string | null;
  failures: number;
  trouble_at: string | null;
  trouble_address: string | null;
  trouble_message: string;
  retry_delay_s: number;
  floor_s: number;
  rejected: { at: string | null; address: string | null; message: string; reach: Reach } | null;
  refresh_spread_s: number;
  last_attempt_at: string | null;
  last_message: string;
  /** Hash of the service's section; a different one lifts a rejection. */
  fingerprint: string;
  /** The address of a request in flight when this was written (its answer not recorded yet). */
  sending: string | null;
}

export interface PersistedState {
  version: number;
  written_at: string;
  /** Record id -> PersistedRecord; unknown until validated by fromPersisted(). */
  records: Record<string, unknown>;
}

/** Clock skew tolerated before a stored timestamp counts as "from the future". */
const FUTURE_SLACK_MS = 2 * 60_000;

export function toPersisted(m: RecordMemory, fingerprint: string, clock: Clock, sending: string | null = null): PersistedRecord {
  const wall = wallOf(clock);
  return {
    registered: m.registered,
    registered_at: wall(m.registeredAt),
    tokens: floor3(m.tokens),
    tokens_at: wall(m.tokensAt),
    failures: m.trouble?.failures ?? 0,
    trouble_at: wall(m.trouble?.at ?? null),
    trouble_address: m.trouble?.address ?? null,
    trouble_message: m.trouble?.message ?? '',
    retry_delay_s: m.trouble ? m.trouble.delay / 1000 : 0,
    floor_s: m.floorUntil !== null && m.trouble ? Math.max(0, (m.floorUntil - m.trouble.at) / 1000) : 0,
    rejected: m.rejected
      ? { at: wall(m.rejected.at), address: m.rejected.address, message: m.rejected.message, reach: m.rejected.reach }
      : null,
    refresh_spread_s: m.refreshSpread / 1000,
    last_attempt_at: wall(m.lastAttemptAt),
    last_message: m.lastMessage,
    fingerprint,
    sending,
  };
}

/** Rebuilds a memory from its stored form; `null` when the entry is not a record at all. */
export function fromPersisted(raw: unknown, policy: RecordPolicy, clock: Clock): { memory: RecordMemory; fingerprint: string } | null {
  if (!isObject(raw)) return null;
  const now = clock.now();
  const mono = monoOf(clock);
  const m = freshMemory(now, policy);

  m.registered = ipOrNull(raw.registered);
  // a registration we cannot date is still a registration; its refresh counts from now
  m.registeredAt = m.registered === null ? null : (mono(raw.registered_at) ?? now);
  // The process died with a request in flight (kill -9, power cut): the provider
  // may hold that address now, so the one before is no longer known to be there.
  // Unknown means sent again: once too often rather than never.
  const sending = ipOrNull(raw.sending);
  if (sending !== null && sending !== m.registered) {
    m.registered = null;
    m.registeredAt = null;
  }
  m.tokens = clamp(num(raw.tokens) ?? BUCKET_SIZE, 0, BUCKET_SIZE);
  // A tokens stamp from the future is kept as it is (not taken as "now"): counted
  // from now, the next run under the forward clock would find the whole jump
  // elapsed again and refill, at every swing of a clock going back and forth.
  m.tokensAt = monoOf(clock, Infinity)(raw.tokens_at) ?? now;

  const failures = num(raw.failures) ?? 0;
  const troubleAddress = ipOrNull(raw.trouble_address);
  if (failures > 0 && troubleAddress !== null) {
    const at = mono(raw.trouble_at) ?? now;
    // every value clamped to the range the engine could have written: a hand-edited
    // 1e300 must not park the record for ever (nor say nothing about it)
    const floor = clamp(num(raw.floor_s) ?? 0, 0, FLOOR_MAX / 1000);
    const delay = clamp((num(raw.retry_delay_s) ?? 60) * 1000, BACKOFF_BASE, BACKOFF_MAX * (1 + BACKOFF_JITTER));
    m.trouble = {
      failures: clamp(Math.floor(failures), 1, FAILURES_MAX),
      at,
      delay: Math.max(delay, floor * 1000),
      address: troubleAddress,
      message: str(raw.trouble_message) ?? '',
    };
    if (floor > 0) m.floorUntil = at + floor * 1000;
  }

  if (isObject(raw.rejected)) {
    const r = raw.rejected;
    const reach = r.reach === 'service' || r.reach === 'host' ? r.reach : 'record';
    m.rejected = { at: mono(r.at) ?? now, address: ipOrNull(r.address), message: str(r.message) ?? '', reach };
  }
  const spread = num(raw.refresh_spread_s);
  if (spread !== null) m.refreshSpread = clamp(spread * 1000, 0, REFRESH_SPREAD_MAX);
  m.lastAttemptAt = mono(raw.last_attempt_at);
  m.lastMessage = str(raw.last_message) ?? '';
  return { memory: m, fingerprint: str(raw.fingerprint) ?? '' };
}

/** Monotonic ms -> ISO wall time, as seen from now. */
export function wallOf(clock: Clock): (t: number | null) => string | null {
  const offset = clock.wall() - clock.now();
  return (t) => (t === null || !Number.isFinite(t) ? null : new Date(t + offset).toISOString());
}

/** ISO wall time -> monotonic ms; null when missing, malformed or from the future (more than `slack` ahead). */
export function monoOf(clock: Clock, slack = FUTURE_SLACK_MS): (iso: unknown) => number | null {
  const wallNow = clock.wall();
  const now = clock.now();
  return (iso) => {
    if (typeof iso !== 'string') return null;
    const t = Date.parse(iso);
    if (!Number.isFinite(t) || t > wallNow + slack) return null;
    return now - (wallNow - t);
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const ipOrNull = (v: unknown): string | null => (typeof v === 'string' && isIP(v) !== 0 ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
// down, never up: a restart must not find a sliver of a token that was not earned
const floor3 = (v: number) => Math.floor(v * 1000) / 1000;
