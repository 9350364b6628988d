// Every record updyn keeps (enabled service x host x family), with the reach of
// provider answers: a rejection about the account stops every record of the
// service, one about a host stops that host's records. Pure, like record.ts.
import { createHash } from 'node:crypto';
import type { Clock, Family, Outcome, RecordKey, ServiceConfig } from '../types';
import { familiesOf } from '../types';
import type { PersistedRecord } from './persist';
import { fromPersisted, toPersisted } from './persist';
import { freshMemory, RecordMachine } from './record';

export interface Entry extends RecordKey {
  id: string;
  machine: RecordMachine;
  fingerprint: string;
  /** verify_dns: ask DNS before the first request (see loop.ts). */
  verifyDns: boolean;
}

export const recordId = (k: RecordKey) => `${k.service}/${k.host}/${k.family}`;

/**
 * A short hash of the service's section. Truncated to 48 bits on purpose: it
 * tells configs apart, but cannot single out a 64-bit token by brute force.
 */
export function serviceFingerprint(s: ServiceConfig): string {
  return createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 12);
}

export class RecordBook {
  readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Makes the book match the config. Records that stay keep their memory (and
   * tokens); a record whose service section changed has its rejection lifted.
   * `stored` seeds records the book does not hold yet (from state.json).
   */
  reconcile(services: ServiceConfig[], stored: Record<string, unknown> = {}): { added: string[]; removed: string[] } {
    const now = this.clock.now();
    const wanted = new Set<string>();
    const added: string[] = [];
    for (const s of services) {
      if (!s.enabled) continue;
      const fingerprint = serviceFingerprint(s);
      const policy = { forceIntervalMs: s.force_interval * 1000, random: this.random };
      for (const host of s.host) {
        for (const family of familiesOf(s)) {
          const key = { service: s.name, host, family };
          const id = recordId(key);
          wanted.add(id);
          const existing = this.entries.get(id);
          if (existing) {
            existing.machine.policy = policy;
            if (existing.fingerprint !== fingerprint) existing.machine.liftRejection();
            existing.fingerprint = fingerprint;
            existing.verifyDns = s.verify_dns;
            continue;
          }
          const restored = fromPersisted(stored[id], policy, this.clock);
          const machine = new RecordMachine(restored?.memory ?? freshMemory(now, policy), policy);
          if (restored && restored.fingerprint !== fingerprint) machine.liftRejection();
          this.entries.set(id, { ...key, id, machine, fingerprint, verifyDns: s.verify_dns });
          added.push(id);
        }
      }
    }
    const removed = [...this.entries.keys()].filter((id) => !wanted.has(id));
    for (const id of removed) this.entries.delete(id);
    return { added, removed };
  }

  of(service: string, family?: Family): Entry[] {
    return [...this.entries.values()].filter((e) => e.service === service && (family === undefined || e.family === family));
  }

  /**
   * Records the answer to `entry`'s request and carries its reach to siblings.
   * Returns the other entries the answer reached (for one log line about them).
   */
  applyOutcome(entry: Entry, outcome: Outcome, now: number): Entry[] {
    entry.machine.finish(outcome, now);
    const spreads = (outcome.kind === 'rejected' && outcome.reach !== 'record') || (outcome.kind === 'trouble' && outcome.floor && outcome.reach === 'service');
    // only then the siblings: a scan per answer made thousands of records quadratic
    if (!spreads) return [];
    const siblings = [...this.entries.values()].filter((e) => e !== entry && e.service === entry.service);
    if (outcome.kind === 'rejected' && outcome.reach !== 'record') {
      const reached = outcome.reach === 'service' ? siblings : siblings.filter((e) => e.host === entry.host);
      for (const e of reached) e.machine.rejectAlong({ at: now, message: outcome.message, reach: outcome.reach });
      return reached;
    }
    if (outcome.kind === 'trouble' && outcome.floor && outcome.reach === 'service') {
      for (const e of siblings) e.machine.applyFloor(now + outcome.floor * 1000);
      return siblings;
    }
    return [];
  }

  persisted(): Record<string, PersistedRecord> {
    const out: Record<string, PersistedRecord> = {};
    for (const e of this.entries.values()) out[e.id] = toPersisted(e.machine.memory, e.fingerprint, this.clock, e.machine.inflight?.address ?? null);
    return out;
  }
}
