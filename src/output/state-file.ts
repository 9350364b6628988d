// state.json: what each record remembers between runs. A corrupt or unreadable
// file is logged, set aside and rebuilt, never a crash; an unwritable directory
// costs persistence (logged once), never the service.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock, Log } from '../types';
import { isNoSpace, readJsonFile, removeStaleTemps, setAside, writeFileAtomic } from '../lib/files';
import { giveUpStatus } from './spare';
import type { PersistedRecord, PersistedState } from '../engine/persist';
import { coalesced, oneAtATime } from '../lib/serial';
import { STATE_VERSION } from '../engine/persist';

const FORGET_AFTER_MS = 30 * 24 * 3600_000;
/**
 * A state file larger than this is not read at all: a few hundred records take
 * tens of kB, and parsing 50 MB costs 200 MB of memory (a router has 128 MB).
 */
export const MAX_STATE_BYTES = 1024 * 1024;
/** A big config earns more: a stored record takes about 500 bytes (2000 hosts: 2 MB). */
const BYTES_PER_RECORD = 1024;

export class StateStore {
  readonly path: string;
  /**
   * Every record seen, configured now or not: a service disabled for a while
   * and enabled again must not re-send what the provider already has.
   */
  private known: Record<string, unknown> = {};
  private writeFailing = false;
  private statusGivenUp = false;
  /** Names of the configured services (null: not told); records of any other service are dropped. */
  private services: Set<string> | null = null;
  private maxBytes = MAX_STATE_BYTES;

  constructor(
    dir: string,
    private readonly log: Log,
    private readonly clock: Clock,
  ) {
    this.path = join(dir, 'state.json');
  }

  /** The services the config holds now; records of others are dropped at load and at every save. */
  configure(serviceNames: Iterable<string>, records = 0): void {
    this.maxBytes = Math.max(MAX_STATE_BYTES, records * BYTES_PER_RECORD);
    this.services = new Set(serviceNames);
    this.known = this.configured(this.known);
  }

  async load(): Promise<Record<string, unknown>> {
    await removeStaleTemps(dirname(this.path));
    const size = await stat(this.path).then((st) => (st.isFile() ? st.size : 0), () => 0);
    if (size > this.maxBytes) return this.rebuild(`${size} bytes, over the ${Math.round(this.maxBytes / 1024)} KiB a state file of this config needs: not read`);
    const read = await readJsonFile(this.path);
    switch (read.kind) {
      case 'missing':
        return {};
      case 'unreadable':
        this.log.warn(`state: cannot read ${this.path} (${read.reason}); starting without saved state`);
        return {};
      case 'corrupt':
        return this.rebuild(read.reason);
      case 'ok': {
        const doc = read.value as Partial<PersistedState> | null;
        if (!doc || typeof doc !== 'object' || typeof doc.records !== 'object' || doc.records === null || Array.isArray(doc.records)) {
          return this.rebuild('not an updyn state file');
        }
        if (doc.version !== STATE_VERSION) {
          this.log.warn(`state: ${this.path} has version ${String(doc.version)}, expected ${STATE_VERSION}; starting afresh`);
          return {};
        }
        this.known = this.configured(doc.records);
        return this.known;
      }
    }
  }

  /** What the file held (or the last save wrote), to seed records a reload brings back. */
  records(): Record<string, unknown> {
    return this.known;
  }

  private source: () => Record<string, PersistedRecord> = () => ({});
  /**
   * Two writes at once would share one temp file; saves asked for meanwhile
   * share one write, which reads the records only when it starts: under a burst
   * of answers (thousands of records) that is one serialization, not one each.
   */
  private readonly saveLatest = coalesced(() => this.inDirectory(() => this.write(this.source())));
  /**
   * state.json and status.json share the state directory, often a small tmpfs:
   * a status write beside a state write (new file beside old one, then rename)
   * would need room for three files where two are enough.
   */
  private readonly inDirectory = oneAtATime();

  /** Runs another writer of the state directory (status.json) while no state write runs. */
  beside<T>(fn: () => Promise<T>): Promise<T> {
    return this.inDirectory(fn);
  }

  /** Resolves (true when written) once a write that began after this call is done. */
  save(records: () => Record<string, PersistedRecord>): Promise<boolean> {
    this.source = records;
    return this.saveLatest();
  }

  private async write(records: Record<string, PersistedRecord>): Promise<boolean> {
    const doc: PersistedState = {
      version: STATE_VERSION,
      written_at: new Date(this.clock.wall()).toISOString(),
      records: this.remember(records),
    };
    const text = `${JSON.stringify(doc, null, 1)}\n`;
    let r = await writeFileAtomic(this.path, text, 0o600);
    // The state is what matters: on a full state directory, status.json (written
    // again after every save) gives up its space before the update is given up.
    if (!r.ok && isNoSpace(r.error) && (await giveUpStatus(dirname(this.path)))) {
      if (!this.statusGivenUp) this.log.warn(`state: ${dirname(this.path)} is full; removed status.json to make room for state.json`);
      this.statusGivenUp = true;
      r = await writeFileAtomic(this.path, text, 0o600);
    }
    if (!r.ok && !this.writeFailing) this.log.warn(`state: ${r.error}; keeping state in memory only`);
    if (r.ok && this.writeFailing) this.log.info(`state: ${this.path} writable again`);
    this.writeFailing = !r.ok;
    return r.ok;
  }

  /** Merges the live records in and forgets unconfigured ones untouched for a month. */
  private remember(live: Record<string, PersistedRecord>): Record<string, unknown> {
    const cutoff = this.clock.wall() - FORGET_AFTER_MS;
    const kept: Record<string, unknown> = {};
    for (const [id, rec] of Object.entries(this.configured(this.known))) {
      if (id in live) continue;
      const r = rec as Partial<PersistedRecord> | null;
      const last = Date.parse(r?.last_attempt_at ?? r?.registered_at ?? '');
      if (Number.isFinite(last) && last >= cutoff) kept[id] = rec;
    }
    this.known = { ...kept, ...live };
    return this.known;
  }

  /** Records of configured services only (ids are `service/host/family`; a service name holds no '/'). */
  private configured(records: Record<string, unknown>): Record<string, unknown> {
    const names = this.services;
    if (names === null) return { ...records };
    const out: Record<string, unknown> = {};
    for (const [id, rec] of Object.entries(records)) if (names.has(id.slice(0, id.indexOf('/')))) out[id] = rec;
    return out;
  }

  private async rebuild(reason: string): Promise<Record<string, unknown>> {
    const moved = await setAside(this.path, new Date(this.clock.wall()));
    const where = moved.ok ? `moved to ${moved.value}` : moved.error;
    this.log.warn(`state: ${this.path} is unusable (${reason}); ${where}; starting afresh`);
    return {};
  }
}

/** How many records a config keeps (enabled service × host × family): the state file's size budget. */
export function recordCount(config: { services: { enabled: boolean; host: string[]; ipv4: boolean; ipv6: boolean }[] }): number {
  return config.services.reduce((n, s) => n + (s.enabled ? s.host.length * (Number(s.ipv4) + Number(s.ipv6)) : 0), 0);
}
