// The checkip rule of the AddressMonitor in virtual time: at most one request
// in flight per (service, family), wake-ups by signal or reload at most once per
// 10 s per family, a device event still at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypedEmitter } from 'tiny-typed-emitter';
import type { DeviceSnapshot, Family, ServiceConfig } from '../../src/types';
import type { AddressWatcher, WatcherEvents } from '../../src/detect/watcher';
import { AddressMonitor, WAKE_MIN_MS } from '../../src/detect/monitor';
import { deviceWith, interfaceAddress, service } from '../support/fixtures';
import { VirtualClock, VirtualTimers, flush } from '../support/virtual';

/** A device behind NAT (CGNAT IPv4, ULA IPv6): every lane asks checkip. */
class NatWatcher extends TypedEmitter<WatcherEvents> implements AddressWatcher {
  readonly kind = 'netlink' as const;
  async start(): Promise<void> {}
  watch(): void {}
  snapshot(device: string): DeviceSnapshot {
    return deviceWith(device, interfaceAddress('100.64.1.2', { prefixlen: 10 }), interfaceAddress('fd00::2'));
  }
  async refresh(): Promise<void> {}
  close(): void {}
  event(): void {
    this.emit('change', this.snapshot('wan'));
  }
}

function setup(answerMs = 500) {
  const clock = new VirtualClock();
  const timers = new VirtualTimers(clock);
  const watcher = new NatWatcher();
  const asked: { family: Family; at: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const checkip = (_s: ServiceConfig, family: Family) => {
    asked.push({ family, at: clock.now() });
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    return new Promise<{ ok: true; value: string }>((resolve) =>
      timers.set(() => {
        inFlight--;
        resolve({ ok: true, value: family === 'ipv4' ? '198.51.100.7' : '2001:db8::7' });
      }, answerMs),
    );
  };
  const monitor = new AddressMonitor(watcher, checkip, timers, () => clock.now());
  const services = [service({ name: 'home', device: 'wan', ip_source: 'auto', check_interval: 300 })];
  const devices = new Map([['home', 'wan']]);
  return { clock, timers, watcher, monitor, services, devices, asked, maxInFlight: () => maxInFlight };
}

test('a storm of SIGHUP reloads and SIGUSR2 re-checks asks checkip at most once per 10 s per family, one request at a time', async () => {
  const s = setup();
  s.monitor.configure(s.services, s.devices);
  await flush();
  const start = s.clock.now();
  // 100 rounds of reload + re-check, 100 ms apart: 10 s of signals
  for (let i = 0; i < 100; i++) {
    s.monitor.configure(s.services, s.devices);
    await s.monitor.recheck();
    await s.timers.advanceTo(s.clock.now() + 100);
  }
  await s.timers.advanceTo(start + 30_000);
  for (const family of ['ipv4', 'ipv6'] as const) {
    const times = s.asked.filter((a) => a.family === family).map((a) => a.at - start);
    // the first at start, then one per 10 s while the storm lasts, and the last wake-up is not lost
    assert.ok(times.length >= 2 && times.length <= 3, `${family}: ${times.length} requests at ${times.join(', ')} ms`);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= WAKE_MIN_MS, `${family}: ${times.join(', ')}`);
  }
  assert.equal(s.maxInFlight(), 2, 'one request in flight per family');
  assert.deepEqual(s.monitor.current('home', 'ipv4')?.address, '198.51.100.7');
  s.monitor.close();
});

test('a device event asks checkip at once even right after a wake-up; during a request it is one follow-up', async () => {
  const s = setup(2000);
  s.monitor.configure(s.services, s.devices);
  await flush();
  const start = s.clock.now();
  await s.timers.advanceTo(start + 3000);
  s.watcher.event();
  await flush();
  assert.equal(s.asked.filter((a) => a.family === 'ipv4').length, 2, 'a device event 3 s after the last request asks at once');
  // three more events while that request is in flight: one follow-up, after it
  for (let i = 0; i < 3; i++) s.watcher.event();
  await s.timers.advanceTo(start + 3000 + 2000 + 1);
  const v4 = s.asked.filter((a) => a.family === 'ipv4').map((a) => a.at - start);
  assert.deepEqual(v4, [0, 3000, 5000]);
  assert.equal(s.maxInFlight(), 2);
  s.monitor.close();
});

test('a reload while checkip is in flight does not start a second request for the same family', async () => {
  const s = setup(5000);
  s.monitor.configure(s.services, s.devices);
  await flush();
  for (let i = 0; i < 10; i++) s.monitor.configure(s.services, s.devices);
  await flush();
  assert.equal(s.asked.length, 2, 'one per family');
  await s.timers.advanceTo(s.clock.now() + 5001);
  assert.equal(s.monitor.current('home', 'ipv6')?.address, '2001:db8::7', 'the answer reaches the lane of the new config');
  s.monitor.close();
});
