// Turns device snapshots and checkip answers into "the publishable address of
// family F for service S is X (or none)". Behind NAT it polls checkip every
// check_interval, and at once after any event on the device: a reconnect
// usually means a new public address.
import { TypedEmitter } from 'tiny-typed-emitter';
import type { Detected, DeviceSnapshot, Family, Result, ServiceConfig, Timers } from '../types';
import { familiesOf } from '../types';
import { realTimers } from '../lib/clock';
import type { AddressWatcher } from './watcher';
import { planAddress } from './publish';
import { checkipUrl } from './checkip';

export type CheckipFn = (service: ServiceConfig, family: Family, url: string) => Promise<Result<string, string>>;

/** One pass for one service and family: what `updyn once` does. */
export async function detectOnce(
  service: ServiceConfig,
  family: Family,
  device: string,
  snapshot: DeviceSnapshot | null,
  previous: string | null,
  checkip: CheckipFn,
): Promise<Result<Detected, string>> {
  const plan = planAddress(family, service.ip_source, snapshot, previous);
  if (plan.kind === 'interface') return { ok: true, value: { address: plan.address, source: 'interface', detail: `interface ${device}` } };
  if (plan.kind === 'none') return { ok: true, value: { address: null, source: null, detail: plan.why } };
  const url = checkipUrl(service, family);
  if (!url) return { ok: false, error: `${plan.why}, and no checkip URL is set for ${family}` };
  const r = await checkip(service, family, url);
  if (!r.ok) return { ok: false, error: `${plan.why}; ${r.error}` };
  return { ok: true, value: { address: r.value, source: 'checkip', detail: `checkip, ${plan.why}` } };
}

interface MonitorEvents {
  address: (service: string, family: Family, detected: Detected) => void;
  warning: (service: string, family: Family, message: string) => void;
}

/** Wake-ups by signal or reload ask checkip at most this often per lane; a device event asks at once. */
export const WAKE_MIN_MS = 10_000;

/** Why a lane is looked at: a device event, SIGUSR2 or a (re)load, or its check_interval. */
type Why = 'device' | 'wake' | 'timer';

/**
 * checkip bookkeeping of one (service, family), kept across reloads: a reload
 * makes new lanes, and a request in flight for the old one still counts.
 */
interface Asking {
  /** one request at a time, one follow-up if asked meanwhile */
  checking: boolean;
  again: boolean;
  /** when the last request started (monotonic ms), or null */
  lastStart: number | null;
  /** a wake-up held back by WAKE_MIN_MS, due then */
  deferred: unknown;
}

interface Lane {
  service: ServiceConfig;
  family: Family;
  device: string;
  current: Detected;
  ask: Asking;
  timer: unknown;
  lastWarning: string;
}

const laneKey = (service: string, family: Family) => `${service}/${family}`;

export class AddressMonitor extends TypedEmitter<MonitorEvents> {
  private lanes: Lane[] = [];
  private asking = new Map<string, Asking>();
  private closed = false;

  constructor(
    private readonly watcher: AddressWatcher,
    private readonly checkip: CheckipFn,
    private readonly timers: Timers = realTimers,
    private readonly now: () => number = () => performance.now(),
    private readonly wakeMinMs = WAKE_MIN_MS,
  ) {
    super();
    watcher.on('change', (snap) => this.onDevice(snap.name));
  }

  /** (Re)defines what to follow: each enabled service with its resolved device. */
  configure(services: ServiceConfig[], devices: Map<string, string>): void {
    const old = new Map(this.lanes.map((l) => [laneKey(l.service.name, l.family), l]));
    const asking = this.asking;
    this.asking = new Map();
    this.lanes = [];
    for (const service of services) {
      if (!service.enabled) continue;
      const device = devices.get(service.name) ?? service.device;
      for (const family of familiesOf(service)) {
        const key = laneKey(service.name, family);
        const prev = old.get(key);
        if (prev) {
          old.delete(key);
          this.timers.clear(prev.timer);
        }
        const ask = asking.get(key) ?? { checking: false, again: false, lastStart: null, deferred: null };
        asking.delete(key);
        this.asking.set(key, ask);
        this.lanes.push({
          service,
          family,
          device,
          current: prev?.current ?? { address: null, source: null, detail: 'not detected yet' },
          ask,
          timer: null,
          lastWarning: '',
        });
      }
    }
    for (const l of old.values()) this.timers.clear(l.timer);
    for (const a of asking.values()) this.timers.clear(a.deferred);
    this.watcher.watch([...new Set(this.lanes.map((l) => l.device).filter(Boolean))]);
    // a reload is a wake-up (a new lane, never asked yet, asks at once)
    for (const lane of this.lanes) this.evaluate(lane, 'wake');
  }

  /** SIGUSR2: re-read the devices and ask checkip again now. */
  async recheck(): Promise<void> {
    await this.watcher.refresh();
    for (const lane of this.lanes) this.evaluate(lane, 'wake');
  }

  current(service: string, family: Family): Detected | null {
    return this.lanes.find((l) => l.service.name === service && l.family === family)?.current ?? null;
  }

  close(): void {
    this.closed = true;
    for (const l of this.lanes) this.timers.clear(l.timer);
    for (const a of this.asking.values()) this.timers.clear(a.deferred);
    this.removeAllListeners();
  }

  private onDevice(device: string): void {
    for (const lane of this.lanes) if (lane.device === device) this.evaluate(lane, 'device');
  }

  private evaluate(lane: Lane, why: Why): void {
    if (this.closed) return;
    const snapshot = lane.device ? this.watcher.snapshot(lane.device) : null;
    const plan = planAddress(lane.family, lane.service.ip_source, snapshot, lane.current.address);
    if (plan.kind === 'interface') {
      this.timers.clear(lane.timer);
      lane.timer = null;
      this.set(lane, { address: plan.address, source: 'interface', detail: `interface ${lane.device}` });
    } else if (plan.kind === 'none') {
      this.timers.clear(lane.timer);
      lane.timer = null;
      this.set(lane, { address: null, source: null, detail: plan.why });
    } else if (why === 'wake' && !this.wakeAllowed(lane)) {
      // held back, not dropped: the wake-up asks once WAKE_MIN_MS have passed
    } else if (why !== 'timer' || lane.timer === null) {
      void this.runCheckip(lane, plan.why);
    }
  }

  /**
   * A signal storm (SIGHUP, SIGUSR2) must not become a checkip storm: at most one
   * wake-up per WAKE_MIN_MS asks; a later one is deferred to then (one timer).
   */
  private wakeAllowed(lane: Lane): boolean {
    const ask = lane.ask;
    if (ask.lastStart === null) return true;
    const wait = ask.lastStart + this.wakeMinMs - this.now();
    if (wait <= 0) return true;
    if (ask.deferred === null) {
      const key = laneKey(lane.service.name, lane.family);
      ask.deferred = this.timers.set(() => {
        ask.deferred = null;
        const current = this.lanes.find((l) => l.ask === ask);
        if (current && this.asking.get(key) === ask) this.evaluate(current, 'wake');
      }, wait);
    }
    return false;
  }

  private async runCheckip(lane: Lane, why: string): Promise<void> {
    const ask = lane.ask;
    if (ask.checking) {
      ask.again = true;
      return;
    }
    const url = checkipUrl(lane.service, lane.family);
    if (!url) {
      this.warn(lane, `${why}, and no checkip URL is set for ${lane.family}`);
      return;
    }
    ask.checking = true;
    ask.lastStart = this.now();
    this.timers.clear(lane.timer);
    lane.timer = null;
    const r = await this.checkip(lane.service, lane.family, url);
    ask.checking = false;
    if (this.closed) return;
    // a reload meanwhile made a new lane for this service and family: the answer is
    // its own, unless the reload changed the URL (then it asks the new one at once)
    const now = this.lanes.find((l) => l.ask === ask);
    if (!now) return;
    lane = now;
    if (checkipUrl(lane.service, lane.family) !== url) {
      ask.again = false;
      this.evaluate(lane, 'device');
      return;
    }
    if (r.ok) {
      lane.lastWarning = '';
      this.set(lane, { address: r.value, source: 'checkip', detail: `checkip, ${why}` });
    } else {
      // keep the last known address: a failed checkip says nothing about it
      this.warn(lane, `${why}; ${r.error}`);
    }
    if (ask.again) {
      ask.again = false;
      this.evaluate(lane, 'device');
      return;
    }
    lane.timer = this.timers.set(() => {
      lane.timer = null;
      this.evaluate(lane, 'timer');
    }, lane.service.check_interval * 1000);
  }

  private set(lane: Lane, detected: Detected): void {
    const changed = detected.address !== lane.current.address || detected.source !== lane.current.source;
    lane.current = detected;
    if (changed) this.emit('address', lane.service.name, lane.family, detected);
  }

  private warn(lane: Lane, message: string): void {
    if (message === lane.lastWarning) return;
    lane.lastWarning = message;
    this.emit('warning', lane.service.name, lane.family, message);
  }
}
