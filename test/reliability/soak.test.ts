// A month in the life of the daemon, in virtual time: the engine, the Updater
// and the AddressMonitor wired as in daemon.ts, fed by a fake kernel (address
// changes, link flaps, event floods) and a fake provider that goes through every
// kind of bad day (5xx, timeouts, 401 until the user fixes the config, 404, 911),
// with SIGUSR1s, config reloads and restarts from state.json. Checked all along:
// the rules of DESIGN.md, no timer or listener piling up, and a flat heap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { TypedEmitter } from 'tiny-typed-emitter';
import type { AddressWatcher, WatcherEvents } from '../../src/detect/watcher';
import type { DeviceSnapshot, Family, Outcome, ServiceConfig } from '../../src/types';
import { RecordBook } from '../../src/engine/book';
import { DAY, HOUR, MINUTE } from '../../src/engine/record';
import { Updater, type SendOutcome } from '../../src/engine/loop';
import { AddressMonitor } from '../../src/detect/monitor';
import { createLog } from '../../src/output/log';
import { VirtualClock, VirtualTimers } from '../support/virtual';
import { deviceWith, interfaceAddress, service } from '../support/fixtures';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const DAYS = 30;
const FORCE_S = 6 * 3600;

/** Devices as the kernel holds them; watchers subscribe, so a restart gets a fresh one. */
class Kernel {
  devices = new Map<string, DeviceSnapshot>();
  watchers = new Set<FakeWatcher>();
  set(name: string, v4: string | null, v6: string | null, up = true): void {
    const addresses = [v4, v6].filter((x) => x !== null).map((x) => interfaceAddress(x));
    this.devices.set(name, { ...deviceWith(name, ...addresses), up });
    for (const w of this.watchers) w.emit('change', this.devices.get(name)!);
  }
}

class FakeWatcher extends TypedEmitter<WatcherEvents> implements AddressWatcher {
  readonly kind = 'netlink' as const;
  constructor(private readonly kernel: Kernel) {
    super();
    kernel.watchers.add(this);
  }
  async start(): Promise<void> {}
  watch(): void {}
  snapshot(device: string): DeviceSnapshot {
    return this.kernel.devices.get(device) ?? { name: device, present: false, up: false, addresses: [] };
  }
  async refresh(): Promise<void> {}
  close(): void {
    this.kernel.watchers.delete(this);
    this.removeAllListeners();
  }
}

type Weather = 'fine' | '5xx' | 'timeout' | '401' | '404' | '911';

test(`a month of events and provider faults in virtual time: the rules hold, nothing piles up, the heap stays flat`, async (t) => {
  const clock = new VirtualClock();
  const timers = new VirtualTimers(clock);
  let seed = 424242;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  let lines = 0;
  const log = createLog({ level: 'debug', stdout: { write: () => lines++ }, stderr: { write: () => lines++ } });

  const kernel = new Kernel();
  kernel.set('wan', '203.0.113.1', '2001:db8::1');
  let nat = { ipv4: '198.51.100.1', ipv6: '2001:db8:1::1' };
  let password = 'token-1';
  const services = (): ServiceConfig[] => [
    service({ name: 'home', device: 'wan', ip_source: 'interface', host: ['a.example.net', 'b.example.net'], force_interval: FORCE_S, password }),
    service({ name: 'nat', device: 'wan', ip_source: 'checkip', host: ['c.example.net'], force_interval: FORCE_S, check_interval: 300 }),
  ];
  const checkip = (_s: ServiceConfig, family: Family) =>
    new Promise<{ ok: true; value: string }>((resolve) => timers.set(() => resolve({ ok: true, value: nat[family] }), 80));

  // the provider's weather and what it answers
  let weather: Weather = 'fine';
  const answer = (svc: string, host: string): [Outcome, number] => {
    if (weather === '5xx') return [{ kind: 'trouble', message: 'HTTP 503' }, 150];
    if (weather === 'timeout') return [{ kind: 'trouble', message: 'no answer within 10 s' }, 10_000];
    if (weather === '911') return [{ kind: 'trouble', message: 'dyndns2 911', floor: 1800, reach: 'service' }, 150];
    if (weather === '401' && svc === 'home') return [{ kind: 'rejected', reach: 'service', message: 'HTTP 401' }, 150];
    if (weather === '404' && host === 'b.example.net') return [{ kind: 'rejected', reach: 'host', message: 'HTTP 404' }, 150];
    return [{ kind: 'ok', message: 'HTTP 200' }, 150];
  };

  // what the provider saw, per record, for the rules
  interface Seen { sends: number[]; lastOk: { address: string; at: number } | null; trouble: { address: string; at: number } | null; rejected: { address: string; at: number } | null; forced: boolean; inflight: boolean }
  const seen = new Map<string, Seen>();
  const of = (id: string) => seen.get(id) ?? (seen.set(id, { sends: [], lastOk: null, trouble: null, rejected: null, forced: false, inflight: false }), seen.get(id)!);
  const floors = new Map<string, number>();
  let requests = 0;

  const send = (entry: { id: string; service: string; host: string }, address: string): Promise<SendOutcome> => {
    const now = clock.now();
    const s = of(entry.id);
    requests++;
    assert.ok(!s.inflight, `${entry.id}: two requests at once`);
    assert.ok(now >= (floors.get(entry.service) ?? 0), `${entry.id}: sent inside the provider's 911 pause`);
    // rate limit: never more than 3 + h requests in any h hours
    for (let i = 0; i < s.sends.length; i++) {
      const hours = (now - s.sends[i]!) / HOUR;
      assert.ok(s.sends.length - i + 1 <= 3 + hours + 1e-9, `${entry.id}: ${s.sends.length - i + 1} requests in ${hours.toFixed(2)} h`);
    }
    if (!s.forced) {
      if (s.lastOk?.address === address) assert.ok(now - s.lastOk.at >= FORCE_S * 1000, `${entry.id}: confirmed ${address} re-sent after ${(now - s.lastOk.at) / 1000} s`);
      if (s.trouble?.address === address) assert.ok(now - s.trouble.at >= MINUTE, `${entry.id}: retried ${address} ${(now - s.trouble.at) / 1000} s after trouble`);
      if (s.rejected?.address === address) assert.ok(now - s.rejected.at >= DAY, `${entry.id}: rejected ${address} re-sent after ${(now - s.rejected.at) / 1000} s`);
    }
    s.sends = [...s.sends.slice(-7), now];
    s.forced = false;
    // a request that leaves ends the rejection on record (another address, SIGUSR1 or 24 h lifted it)
    s.rejected = null;
    s.inflight = true;
    const [outcome, ms] = answer(entry.service, entry.host);
    return new Promise((resolve) =>
      timers.set(() => {
        s.inflight = false;
        const at = clock.now();
        if (outcome.kind === 'ok') (s.lastOk = { address, at }), (s.trouble = null);
        if (outcome.kind === 'trouble') s.trouble = { address, at };
        if (outcome.kind === 'trouble' && outcome.floor) floors.set(entry.service, at + outcome.floor * 1000);
        if (outcome.kind === 'rejected') {
          // the reach: every record of the service, or of the host, each with the address it has now
          for (const e of book.entries.values()) {
            if (e.service === entry.service && (outcome.reach === 'service' || e.host === entry.host)) of(e.id).rejected = { address: e.machine.current ?? '', at };
          }
          s.rejected = { address, at };
        }
        resolve({ outcome, elapsedMs: ms });
      }, ms),
    );
  };

  // the daemon: built at start and at every restart, from the state of the one before
  let stored: Record<string, unknown> = {};
  let book!: RecordBook;
  let watcher!: FakeWatcher;
  let monitor!: AddressMonitor;
  let updater!: Updater;
  const start = () => {
    book = new RecordBook(clock, random);
    book.reconcile(services(), stored);
    watcher = new FakeWatcher(kernel);
    monitor = new AddressMonitor(watcher, checkip, timers, () => clock.now());
    updater = new Updater({ book, clock, log, timers, send, changed: () => undefined });
    monitor.on('address', (svc, family, d) => {
      for (const e of book.of(svc, family)) e.machine.observe(d.address, d.source);
      updater.kick();
    });
    monitor.configure(services(), new Map([['home', 'wan'], ['nat', 'wan']]));
    updater.kick();
  };
  const stop = () => {
    stored = JSON.parse(JSON.stringify(book.persisted()));
    monitor.close();
    watcher.close();
    updater.close();
  };
  start();

  const samples = { timers: 0, listeners: 0, announced: 0, restarts: 0, reloads: 0, usr1: 0, events: 0 };
  let heapStart = 0;
  let heapMid = 0;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const end = clock.now() + DAYS * DAY;
  let nextWeather = clock.now() + 6 * HOUR;
  for (let hour = 0; clock.now() < end; hour++) {
    // about three kernel events an hour, in bursts now and then
    const burst = random() < 0.02 ? 200 : Math.floor(random() * 6);
    for (let i = 0; i < burst; i++) {
      await timers.advanceTo(clock.now() + Math.floor(random() * (burst > 50 ? 20 : 20 * MINUTE)));
      const r = random();
      if (r < 0.05) kernel.set('wan', null, null, false);
      else kernel.set('wan', `203.0.113.${1 + Math.floor(random() * 4)}`, `2001:db8::${1 + Math.floor(random() * 4)}`);
      samples.events++;
    }
    if (random() < 0.04) nat = { ipv4: `198.51.100.${1 + Math.floor(random() * 9)}`, ipv6: `2001:db8:1::${1 + Math.floor(random() * 9)}` };
    if (clock.now() >= nextWeather) {
      // a fixed 401 means the user changed the password: a reload lifts the rejection
      if (weather === '401') {
        password = `token-${hour}`;
        book.reconcile(services(), {});
        monitor.configure(services(), new Map([['home', 'wan'], ['nat', 'wan']]));
        for (const [id, x] of seen) if (id.startsWith('home/')) x.rejected = null;
        samples.reloads++;
      }
      weather = random() < 0.6 ? 'fine' : pick(['5xx', 'timeout', '401', '404', '911'] as const);
      nextWeather = clock.now() + (2 + random() * 10) * HOUR;
    }
    if (random() < 0.01) {
      // SIGUSR1: every record forced out (tokens still spent)
      for (const e of book.entries.values()) {
        e.machine.force();
        const s = of(e.id);
        s.forced = true;
        s.rejected = null;
      }
      updater.kick();
      samples.usr1++;
    }
    if (hour % 120 === 60 && updater.inFlight() === 0) {
      stop();
      start();
      samples.restarts++;
    }
    await timers.advanceTo(Math.min(end, clock.now() + HOUR - (clock.now() % HOUR)));
    samples.timers = Math.max(samples.timers, timers.count());
    samples.listeners = Math.max(samples.listeners, watcher.listenerCount('change'), monitor.listenerCount('address'));
    samples.announced = Math.max(samples.announced, (updater as unknown as { announced: Map<string, string> }).announced.size);
    if (hour === 24) heapStart = heap();
    if (hour === 15 * 24) heapMid = heap();
  }
  // fine weather for two days: every record ends on the address it has now
  weather = 'fine';
  await timers.advanceTo(clock.now() + 2 * DAY);
  for (const e of book.entries.values()) {
    assert.equal(e.machine.memory.registered, e.machine.current, `${e.id}: registered ${e.machine.memory.registered}, current ${e.machine.current}`);
  }
  const heapEnd = heap();
  const drift = heapEnd - heapStart;
  t.diagnostic(
    `${DAYS} days: ${samples.events} kernel events, ${requests} requests, ${samples.usr1} SIGUSR1, ${samples.reloads} reloads, ` +
      `${samples.restarts} restarts, ${lines} log lines; at most ${samples.timers} timers pending, ${samples.listeners} listener per event, ` +
      `${samples.announced} waits remembered; heap ${(heapStart / 1e6).toFixed(2)} MB after day 1, ${(heapMid / 1e6).toFixed(2)} MB on day 15, ${(heapEnd / 1e6).toFixed(2)} MB at the end ` +
      `(drift ${drift >= 0 ? '+' : ''}${(drift / 1024).toFixed(0)} kB)`,
  );
  // pending at most: one updater wake, a poll and an answer per checkip lane, one request per record
  assert.ok(samples.timers <= 1 + 2 * 2 + book.entries.size, `${samples.timers} timers pending at once`);
  assert.equal(samples.listeners, 1);
  assert.ok(samples.announced <= book.entries.size);
  // day 1 still warms up (code, inline caches); from day 15 on the heap must stand still
  assert.ok(Math.abs(drift) < 1536 * 1024, `heap drifted by ${drift} bytes`);
  assert.ok(Math.abs(heapEnd - heapMid) < 512 * 1024, `heap grew by ${heapEnd - heapMid} bytes from day 15 to day 30`);
  stop();
  assert.ok(timers.count() <= book.entries.size + 2, `${timers.count()} timers left after stop (only answers still on their way)`);
});
