// status.json (DESIGN.md): what LuCI and `updyn status` show. Derived from the
// record book at the moment of writing; it holds no secret by construction
// (service names, hosts, addresses, provider messages only).
import { join } from 'node:path';
import type { AddressSource, Clock, Family, RecordType, Result, ServiceConfig } from '../types';
import { writeFileAtomic } from '../lib/files';
import { recordType } from '../types';
import { VERSION } from '../version';
import type { RecordBook } from '../engine/book';
import { wallOf } from '../engine/persist';
import type { RecordMachine } from '../engine/record';

export type LastResult = 'ok' | 'rejected' | 'error' | 'pending';

export interface StatusRecord {
  host: string;
  family: Family;
  type: RecordType;
  current: string | null;
  source: AddressSource | null;
  registered: string | null;
  registered_at: string | null;
  last_attempt_at: string | null;
  last_result: LastResult;
  last_message: string;
  next_attempt_at: string | null;
  tokens: number;
}

export interface StatusService {
  name: string;
  device: string;
  records: StatusRecord[];
}

export interface StatusDocument {
  version: string;
  pid: number;
  started_at: string;
  updated_at: string;
  detector?: string;
  services: StatusService[];
}

/** Where the status lives: `state_dir/status.json`. */
export const statusPath = (stateDir: string) => join(stateDir, 'status.json');

/** Replaces status.json atomically (world-readable: it holds no secret). */
export function writeStatus(stateDir: string, doc: StatusDocument): Promise<Result<void, string>> {
  return writeFileAtomic(statusPath(stateDir), `${JSON.stringify(doc, null, 1)}\n`);
}

export function lastResult(m: RecordMachine): LastResult {
  const mem = m.memory;
  if (m.inflight) return 'pending';
  if (mem.rejected) return 'rejected';
  if (mem.trouble) return 'error';
  if (m.current === null) return mem.registered ? 'ok' : 'pending';
  return m.current === mem.registered ? 'ok' : 'pending';
}

export function buildStatus(opts: {
  book: RecordBook;
  services: ServiceConfig[];
  devices: Map<string, string>;
  clock: Clock;
  startedAt: number;
  detector?: string;
}): StatusDocument {
  const { book, clock } = opts;
  const now = clock.now();
  const wall = wallOf(clock);
  const services: StatusService[] = [];
  for (const s of opts.services) {
    if (!s.enabled) continue;
    const records = book.of(s.name).map((e): StatusRecord => {
      const m = e.machine;
      const d = m.decide(now);
      const next = d.kind === 'send' ? now : d.kind === 'wait' && Number.isFinite(d.at) ? d.at : null;
      return {
        host: e.host,
        family: e.family,
        type: recordType(e.family),
        current: m.current,
        source: m.source,
        registered: m.memory.registered,
        registered_at: wall(m.memory.registeredAt),
        last_attempt_at: wall(m.memory.lastAttemptAt),
        last_result: lastResult(m),
        last_message: m.memory.lastMessage,
        next_attempt_at: wall(next),
        tokens: Math.floor(m.tokensAt(now) * 100) / 100,
      };
    });
    services.push({ name: s.name, device: opts.devices.get(s.name) ?? s.device, records });
  }
  return {
    version: VERSION,
    pid: process.pid,
    started_at: new Date(opts.startedAt).toISOString(),
    updated_at: new Date(clock.wall()).toISOString(),
    ...(opts.detector ? { detector: opts.detector } : {}),
    services,
  };
}
