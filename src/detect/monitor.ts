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

interface Lane {
  service: ServiceConfig;
  family: Family;
  device: string;
  current: Detected;
  /** checkip bookkeeping: one request at a time, one follow-up if asked meanwhile */
  checking: boolean;
  again: boolean;
  timer: unknown;
  lastWarning: string;
}

export class AddressMonitor extends TypedEmitter<MonitorEvents> {
  private lanes: Lane[] = [];
  private closed = false;

  constructor(
    private readonly watcher: AddressWatcher,
    private readonly checkip: CheckipFn,
    private readonly timers: Timers = realTimers,
  ) {
    super();
    watcher.on('change', (snap) => this.onDevice(snap.name));
  }

  /** (Re)defines what to follow: each enabled service with its resolved device. */
  configure(services: ServiceConfig[], devices: Map<string, string>): void {
    const old = new Map(this.lanes.map((l) => [`${l.service.name}/${l.family}`, l]));
    this.lanes = [];
    for (const service of services) {
      if (!service.enabled) continue;
      const device = devices.get(service.name) ?? service.device;
      for (const family of familiesOf(service)) {
        const prev = old.get(`${service.name}/${family}`);
        if (prev) {
          old.delete(`${service.name}/${family}`);
          this.timers.clear(prev.timer);
        }
        this.lanes.push({
          service,
          family,
          device,
          current: prev?.current ?? { address: null, source: null, detail: 'not detected yet' },
          checking: false,
          again: false,
          timer: null,
          lastWarning: '',
        });
      }
    }
    for (const l of old.values()) this.timers.clear(l.timer);
    this.watcher.watch([...new Set(this.lanes.map((l) => l.device).filter(Boolean))]);
    for (const lane of this.lanes) this.evaluate(lane, true);
  }

  /** SIGUSR2: re-read the devices and ask checkip again now. */
  async recheck(): Promise<void> {
    await this.watcher.refresh();
    for (const lane of this.lanes) this.evaluate(lane, true);
  }

  current(service: string, family: Family): Detected | null {
    return this.lanes.find((l) => l.service.name === service && l.family === family)?.current ?? null;
  }

  close(): void {
    this.closed = true;
    for (const l of this.lanes) this.timers.clear(l.timer);
    this.removeAllListeners();
  }

  private onDevice(device: string): void {
    for (const lane of this.lanes) if (lane.device === device) this.evaluate(lane, true);
  }

  private evaluate(lane: Lane, eventDriven: boolean): void {
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
    } else if (eventDriven || lane.timer === null) {
      void this.runCheckip(lane, plan.why);
    }
  }

  private async runCheckip(lane: Lane, why: string): Promise<void> {
    if (lane.checking) {
      lane.again = true;
      return;
    }
    const url = checkipUrl(lane.service, lane.family);
    if (!url) {
      this.warn(lane, `${why}, and no checkip URL is set for ${lane.family}`);
      return;
    }
    lane.checking = true;
    this.timers.clear(lane.timer);
    lane.timer = null;
    const r = await this.checkip(lane.service, lane.family, url);
    lane.checking = false;
    if (this.closed || !this.lanes.includes(lane)) return;
    if (r.ok) {
      lane.lastWarning = '';
      this.set(lane, { address: r.value, source: 'checkip', detail: `checkip, ${why}` });
    } else {
      // keep the last known address: a failed checkip says nothing about it
      this.warn(lane, `${why}; ${r.error}`);
    }
    if (lane.again) {
      lane.again = false;
      this.evaluate(lane, true);
      return;
    }
    lane.timer = this.timers.set(() => {
      lane.timer = null;
      this.evaluate(lane, false);
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
