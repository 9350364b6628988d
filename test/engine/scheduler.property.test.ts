// The rules of DESIGN.md as properties, checked over random event sequences in
// virtual time: address changes, provider outages, several records at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecordBook } from '../../src/engine/book';
import type { Entry } from '../../src/engine/book';
import { HOUR } from '../../src/engine/record';
import { Updater } from '../../src/engine/loop';
import type { SendOutcome } from '../../src/engine/loop';
import { memoryLog } from '../support/memory-log';
import { VirtualClock, VirtualTimers, flush } from '../support/virtual';
import { service } from '../support/fixtures';

const FORCE_INTERVAL_S = 6 * 3600;
const ADDRESSES = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '198.51.100.7'];
const ADDRESSES6 = ['2001:db8::1', '2001:db8::2', '2001:db8::3', '2001:db8:1::7'];

type Event =
  | { dt: number; kind: 'address'; family: 'ipv4' | 'ipv6'; index: number | null }
  | { dt: number; kind: 'health'; healthy: boolean };

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      dt: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 3 * HOUR })),
      kind: fc.constant('address' as const),
      family: fc.constantFrom('ipv4' as const, 'ipv6' as const),
      index: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ dt: fc.integer({ min: 0, max: 2 * HOUR }), kind: fc.constant('health' as const), healthy: fc.boolean() }),
  },
);

interface Sent {
  id: string;
  address: string;
  at: number;
  answered: 'ok' | 'trouble';
}

async function simulate(events: Event[], seed: number) {
  const clock = new VirtualClock();
  const timers = new VirtualTimers(clock);
  let rnd = seed;
  const random = () => {
    rnd = (rnd * 1103515245 + 12345) % 2 ** 31;
    return rnd / 2 ** 31;
  };
  const book = new RecordBook(clock, random);
  const svc = service({ host: ['a.example.com', 'b.example.com'], force_interval: FORCE_INTERVAL_S });
  book.reconcile([svc]);
  let healthy = true;
  const sent: Sent[] = [];
  const updater = new Updater({
    book,
    clock,
    log: memoryLog('error'),
    timers,
    changed: () => undefined,
    send: (entry, address) => {
      const record: Sent = { id: entry.id, address, at: clock.now(), answered: healthy ? 'ok' : 'trouble' };
      sent.push(record);
      // the answer takes 150 ms of virtual time, so changes can land while in flight
      return new Promise<SendOutcome>((resolve) =>
        timers.set(() => {
          record.answered = healthy ? 'ok' : 'trouble';
          resolve({
            outcome: healthy ? { kind: 'ok', message: 'HTTP 200' } : { kind: 'trouble', message: 'HTTP 503' },
            elapsedMs: 150,
          });
        }, 150),
      );
    },
  });
  const final: Record<'ipv4' | 'ipv6', string | null> = { ipv4: null, ipv6: null };
  for (const ev of events) {
    await timers.advanceTo(clock.now() + ev.dt);
    if (ev.kind === 'health') healthy = ev.healthy;
    else {
      const address = ev.index === null ? null : (ev.family === 'ipv4' ? ADDRESSES : ADDRESSES6)[ev.index]!;
      final[ev.family] = address ?? final[ev.family];
      for (const e of book.of('home', ev.family)) e.machine.observe(address, 'interface');
      if (address === null) final[ev.family] = null;
    }
    updater.kick();
  }
  healthy = true;
  const healedAt = clock.now();
  await timers.advanceTo(healedAt + 30 * HOUR);
  updater.close();
  return { sent, final, book, healedAt };
}

test('scheduler properties hold for random event sequences', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 2 ** 30 }), async (events, seed) => {
      const { sent, final, book } = await simulate(events, seed);
      const byRecord = new Map<string, Sent[]>();
      for (const s of sent) byRecord.set(s.id, [...(byRecord.get(s.id) ?? []), s]);

      for (const [id, list] of byRecord) {
        // never two requests for an unchanged confirmed address within force_interval
        for (let j = 1; j < list.length; j++) {
          let i = j - 1;
          while (i >= 0 && list[i]!.answered !== 'ok') i--;
          if (i >= 0 && list[i]!.address === list[j]!.address) {
            assert.ok(
              list[j]!.at - list[i]!.at >= FORCE_INTERVAL_S * 1000,
              `${id}: ${list[j]!.address} re-sent after ${(list[j]!.at - list[i]!.at) / 1000} s`,
            );
          }
        }
        // never more than 3 + h requests in any h hours
        for (let i = 0; i < list.length; i++) {
          for (let j = i; j < list.length; j++) {
            const hours = (list[j]!.at - list[i]!.at) / HOUR;
            assert.ok(j - i + 1 <= 3 + hours + 1e-9, `${id}: ${j - i + 1} requests within ${hours.toFixed(2)} h`);
          }
        }
      }
      // once the provider is healthy, the last address always reaches it
      for (const e of book.entries.values()) {
        const want = final[e.family];
        if (want === null) continue;
        const oks = (byRecord.get(e.id) ?? []).filter((s) => s.answered === 'ok');
        assert.equal(oks.at(-1)?.address, want, `${e.id}: provider holds ${oks.at(-1)?.address}, device has ${want}`);
        assert.equal(e.machine.memory.registered, want);
      }
    }),
    { numRuns: 150 },
  );
});

test('flapping between two addresses 20 times in 10 s costs at most 3 requests, then the final address within the hour', async () => {
  const events: Event[] = [];
  for (let i = 0; i < 20; i++) events.push({ dt: 500, kind: 'address', family: 'ipv4', index: i % 2 });
  const { sent } = await simulate(events, 7);
  const a = sent.filter((s) => s.id === 'home/a.example.com/ipv4');
  const inBurst = a.filter((s) => s.at <= a[0]!.at + 10_000);
  assert.ok(inBurst.length <= 3, `${inBurst.length} requests during the flapping`);
  const finalSend = a.find((s) => s.at > a[0]!.at + 10_000 && s.address === ADDRESSES[1]);
  assert.ok(finalSend, 'the final address is sent after the flapping');
  assert.ok(finalSend.at - a[0]!.at <= HOUR + 10_000, `final address after ${(finalSend.at - a[0]!.at) / 1000} s`);
  assert.equal(a.at(-1)?.address, ADDRESSES[1]);
});

/** A book of one service's records and an Updater over it, in virtual time. */
function virtualUpdater(svc: ReturnType<typeof service>, send: (entry: Entry) => Promise<SendOutcome>) {
  const clock = new VirtualClock();
  const timers = new VirtualTimers(clock);
  const book = new RecordBook(clock, () => 0.5);
  book.reconcile([svc]);
  const updater = new Updater({ book, clock, timers, log: memoryLog('error'), changed: () => undefined, send });
  return { clock, timers, book, updater };
}

test('one failing record does not delay the others', async () => {
  const sent: string[] = [];
  const { clock, timers, book, updater } = virtualUpdater(service({ host: ['a.example.com', 'b.example.com'], ipv6: false }), async (entry) => {
    sent.push(entry.host);
    // a.example.com hangs until its timeout
    if (entry.host === 'a.example.com') {
      return new Promise((r) => timers.set(() => r({ outcome: { kind: 'trouble', message: 'timeout' }, elapsedMs: 10_000 }), 10_000));
    }
    return { outcome: { kind: 'ok', message: 'HTTP 200' }, elapsedMs: 5 };
  });
  for (const e of book.entries.values()) e.machine.observe('203.0.113.5', 'interface');
  updater.kick();
  await timers.advanceTo(clock.now() + 10);
  await flush();
  assert.deepEqual(sent.sort(), ['a.example.com', 'b.example.com']);
  assert.equal(book.entries.get('home/b.example.com/ipv4')!.machine.memory.registered, '203.0.113.5');
  assert.equal(book.entries.get('home/a.example.com/ipv4')!.machine.inflight?.address, '203.0.113.5');
  updater.close();
});

test('a rejection about the account stops every record of the service; one about a host only that host', () => {
  const clock = new VirtualClock();
  const book = new RecordBook(clock, () => 0.5);
  book.reconcile([service({ host: ['a.example.com', 'b.example.com'] }), service({ name: 'other', host: ['c.example.com'] })]);
  for (const e of book.entries.values()) e.machine.observe(e.family === 'ipv4' ? '203.0.113.5' : '2001:db8::5', 'interface');
  const a4 = book.entries.get('home/a.example.com/ipv4')!;
  a4.machine.begin('203.0.113.5', clock.now());
  const reached = book.applyOutcome(a4, { kind: 'rejected', reach: 'host', message: 'HTTP 404: unknown host' }, clock.now());
  assert.deepEqual(reached.map((e) => e.id), ['home/a.example.com/ipv6']);
  assert.equal(book.entries.get('home/b.example.com/ipv4')!.machine.decide(clock.now()).kind, 'send');

  const b4 = book.entries.get('home/b.example.com/ipv4')!;
  b4.machine.begin('203.0.113.5', clock.now());
  const all = book.applyOutcome(b4, { kind: 'rejected', reach: 'service', message: 'HTTP 401' }, clock.now());
  assert.equal(all.length, 3);
  for (const e of book.of('home')) assert.equal(e.machine.decide(clock.now()).kind, 'wait', e.id);
  // another service is not touched
  assert.equal(book.entries.get('other/c.example.com/ipv4')!.machine.decide(clock.now()).kind, 'send');
});

test('a config change of the service lifts its rejections; records that stay keep their tokens', () => {
  const clock = new VirtualClock();
  const book = new RecordBook(clock, () => 0.5);
  const s = service({ ipv6: false });
  book.reconcile([s]);
  const e = book.entries.get('home/example.zerigo.com/ipv4')!;
  e.machine.observe('203.0.113.5', 'interface');
  e.machine.begin('203.0.113.5', clock.now());
  book.applyOutcome(e, { kind: 'rejected', reach: 'service', message: 'HTTP 401' }, clock.now());
  book.reconcile([s]);
  assert.equal(e.machine.decide(clock.now()).kind, 'wait', 'same config: still rejected');
  book.reconcile([{ ...s, password: 'another-token' }]);
  assert.equal(book.entries.get(e.id), e, 'the record object survives the reload');
  assert.ok(Math.abs(e.machine.tokensAt(clock.now()) - 2) < 1e-9);
  assert.equal(e.machine.decide(clock.now()).kind, 'send');
});

test('a wall-clock jump (NTP after boot, either way) neither fires every timer nor freezes them', async () => {
  for (const jump of [365 * 24 * HOUR, -365 * 24 * HOUR]) {
    const sent: number[] = [];
    const { clock, timers, book, updater } = virtualUpdater(service({ ipv6: false, force_interval: 6 * 3600 }), async () => {
      sent.push(clock.now());
      return { outcome: { kind: 'ok', message: 'HTTP 200' }, elapsedMs: 1 };
    });
    const e = [...book.entries.values()][0]!;
    e.machine.observe('203.0.113.5', 'interface');
    updater.kick();
    await flush();
    assert.equal(sent.length, 1);
    clock.wallBase += jump;
    updater.kick();
    await timers.advanceTo(clock.now() + 5 * HOUR);
    assert.equal(sent.length, 1, 'nothing fires because the wall clock moved');
    await timers.advanceTo(clock.now() + 2 * HOUR);
    assert.equal(sent.length, 2, 'the refresh still comes after force_interval of monotonic time');
    updater.close();
  }
});
