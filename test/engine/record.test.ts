import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUCKET_SIZE, DAY, HOUR, MINUTE, RecordMachine, backoffDelay, freshMemory } from '../../src/engine/record';
import type { RecordPolicy } from '../../src/engine/record';

const policy = (random = () => 0.5, forceIntervalMs = DAY): RecordPolicy => ({ forceIntervalMs, random });
const T0 = 10 * DAY;

function machine(p = policy()) {
  return new RecordMachine(freshMemory(T0, p), p);
}

/** Sends what the machine decides at `now` and answers with `outcome`. */
function sendNow(m: RecordMachine, now: number, outcome: Parameters<RecordMachine['finish']>[0] = { kind: 'ok', message: 'HTTP 200' }) {
  const d = m.decide(now);
  assert.equal(d.kind, 'send', `expected a send at ${now}, got ${JSON.stringify(d)}`);
  if (d.kind !== 'send') throw new Error('unreachable');
  m.begin(d.address, now);
  m.finish(outcome, now);
  return d;
}

test('a first address goes out at once', () => {
  const m = machine();
  assert.deepEqual(m.decide(T0), { kind: 'idle', why: 'no-address' });
  m.observe('203.0.113.5', 'interface');
  assert.deepEqual(m.decide(T0), { kind: 'send', address: '203.0.113.5', reason: 'first' });
});

test('a confirmed address is not sent again before force_interval', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  sendNow(m, T0);
  const d = m.decide(T0 + HOUR);
  assert.equal(d.kind, 'wait');
  assert.equal(d.kind === 'wait' && d.why, 'refresh');
  // the refresh comes after force_interval plus a random spread of at most an hour
  const at = d.kind === 'wait' ? d.at : 0;
  assert.ok(at >= T0 + DAY && at <= T0 + DAY + HOUR, `refresh at ${at - T0}`);
  assert.deepEqual(m.decide(at), { kind: 'send', address: '203.0.113.5', reason: 'refresh' });
});

test('the refresh spread differs between records', () => {
  const spreads = new Set<number>();
  for (const r of [0, 0.25, 0.5, 0.99]) {
    const m = machine(policy(() => r));
    m.observe('203.0.113.5', 'interface');
    sendNow(m, T0);
    spreads.add(m.refreshAt()! - T0 - DAY);
  }
  assert.equal(spreads.size, 4);
});

test('a changed address goes out at once and dedup is against the confirmed one', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  sendNow(m, T0);
  m.observe('203.0.113.6', 'interface');
  assert.deepEqual(m.decide(T0 + 1), { kind: 'send', address: '203.0.113.6', reason: 'change' });
  // back to the confirmed address before anything was sent: nothing to do
  m.observe('203.0.113.5', 'interface');
  assert.equal(m.decide(T0 + 2).kind, 'wait');
});

test('changes during a request collapse into one follow-up with the latest address', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  const d = m.decide(T0);
  assert.equal(d.kind, 'send');
  m.begin('203.0.113.5', T0);
  for (const a of ['203.0.113.6', '203.0.113.7', '203.0.113.8']) {
    m.observe(a, 'interface');
    assert.deepEqual(m.decide(T0 + 5), { kind: 'idle', why: 'in-flight' });
  }
  m.finish({ kind: 'ok', message: 'HTTP 200' }, T0 + 50);
  assert.deepEqual(m.decide(T0 + 50), { kind: 'send', address: '203.0.113.8', reason: 'change' });
});

test('three requests back to back, then one an hour', () => {
  const m = machine();
  let now = T0;
  for (let i = 0; i < BUCKET_SIZE; i++) {
    m.observe(`203.0.113.${10 + i}`, 'interface');
    sendNow(m, now);
    now += 1000;
  }
  m.observe('203.0.113.99', 'interface');
  const d = m.decide(now);
  assert.equal(d.kind, 'wait');
  assert.equal(d.kind === 'wait' && d.why, 'rate-limit');
  const at = d.kind === 'wait' ? d.at : 0;
  // the first token refills an hour after the bucket was at 2 tokens... i.e. within the hour
  assert.ok(at > now && at <= now + HOUR, `next token after ${(at - now) / MINUTE} min`);
  assert.equal(m.decide(at).kind, 'send');
});

test('tokens refill one an hour, never above three', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  sendNow(m, T0);
  assert.ok(Math.abs(m.tokensAt(T0) - 2) < 1e-9);
  assert.ok(Math.abs(m.tokensAt(T0 + HOUR / 2) - 2.5) < 1e-9);
  assert.equal(m.tokensAt(T0 + 10 * HOUR), BUCKET_SIZE);
});

test('trouble backs off 1 min doubling to 1 h, jitter only adds up to 20 %', () => {
  for (const r of [0, 0.5, 0.999]) {
    const delays = Array.from({ length: 9 }, (_, i) => backoffDelay(i + 1, () => r));
    const bases = [1, 2, 4, 8, 16, 32, 60, 60, 60].map((x) => x * MINUTE);
    delays.forEach((d, i) => {
      assert.ok(d >= bases[i]!, `delay ${i} ${d} below base`);
      assert.ok(d <= bases[i]! * 1.2, `delay ${i} ${d} above base + 20 %`);
    });
  }
});

test('after trouble the same address waits for the backoff; a new address does not', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  sendNow(m, T0, { kind: 'trouble', message: 'HTTP 503' });
  const d = m.decide(T0 + 1000);
  assert.equal(d.kind === 'wait' && d.why, 'backoff');
  const retryAt = d.kind === 'wait' ? d.at : 0;
  assert.ok(retryAt >= T0 + MINUTE && retryAt <= T0 + 1.2 * MINUTE);
  assert.deepEqual(m.decide(retryAt), { kind: 'send', address: '203.0.113.5', reason: 'retry' });
  m.observe('203.0.113.6', 'interface');
  assert.equal(m.decide(T0 + 2000).kind, 'send');
});

test("a provider's floor holds even for a new address and for SIGUSR1", () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  sendNow(m, T0, { kind: 'trouble', message: '911', floor: 1800 });
  m.observe('203.0.113.6', 'interface');
  m.force();
  const d = m.decide(T0 + MINUTE);
  assert.equal(d.kind === 'wait' && d.why, 'floor');
  assert.equal(d.kind === 'wait' && d.at, T0 + 30 * MINUTE);
});

test('a rejection stops retries until the address changes, SIGUSR1, or 24 h', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  sendNow(m, T0, { kind: 'rejected', reach: 'record', message: 'HTTP 401' });
  assert.equal(m.decide(T0 + 23 * HOUR).kind, 'wait');
  assert.equal(m.decide(T0 + DAY).kind, 'send');
  // an address change lifts it
  m.observe('203.0.113.6', 'interface');
  assert.equal(m.decide(T0 + HOUR).kind, 'send');
  m.observe('203.0.113.5', 'interface');
  // SIGUSR1 lifts it and still spends a token
  m.force();
  const before = m.tokensAt(T0 + HOUR);
  const d = m.decide(T0 + HOUR);
  assert.deepEqual(d, { kind: 'send', address: '203.0.113.5', reason: 'forced' });
  m.begin('203.0.113.5', T0 + HOUR);
  assert.ok(Math.abs(m.tokensAt(T0 + HOUR) - (before - 1)) < 1e-9);
  assert.equal(m.memory.rejected, null);
});

test('a lifted config rejection lets the same address through', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  sendNow(m, T0, { kind: 'rejected', reach: 'service', message: 'HTTP 401' });
  assert.equal(m.decide(T0 + 1).kind, 'wait');
  m.liftRejection();
  assert.equal(m.decide(T0 + 1).kind, 'send');
});

test('SIGUSR1 re-sends a confirmed address but waits for a token', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  for (let i = 0; i < 3; i++) {
    m.force();
    sendNow(m, T0 + i);
  }
  m.force();
  const d = m.decide(T0 + 10);
  assert.equal(d.kind === 'wait' && d.why, 'rate-limit');
});

test('an address that disappears is not "sent"; when it returns unchanged nothing is sent', () => {
  const m = machine();
  m.observe('203.0.113.5', 'interface');
  sendNow(m, T0);
  m.observe(null, null);
  assert.deepEqual(m.decide(T0 + 1), { kind: 'idle', why: 'no-address' });
  m.observe('203.0.113.5', 'interface');
  assert.equal(m.decide(T0 + 2).kind, 'wait');
});
