import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordBook } from '../../src/engine/book';
import { fromPersisted, toPersisted } from '../../src/engine/persist';
import { DAY, HOUR, freshMemory } from '../../src/engine/record';
import { StateStore } from '../../src/output/state-file';
import { memoryLog } from '../support/memory-log';
import { VirtualClock } from '../support/virtual';
import { service, TOKEN } from '../support/fixtures';
import { tempDir } from '../support/env';

const policy = { forceIntervalMs: DAY, random: () => 0.5 };

test('a record survives the trip through state.json, across processes with different monotonic clocks', () => {
  const a = new VirtualClock(5 * DAY);
  const m = freshMemory(a.now(), policy);
  m.registered = '203.0.113.5';
  m.registeredAt = a.now() - 2 * HOUR;
  m.tokens = 1.5;
  m.tokensAt = a.now() - HOUR;
  m.trouble = { failures: 3, at: a.now() - 60_000, delay: 240_000, address: '203.0.113.6', message: 'HTTP 503' };
  m.rejected = null;
  const stored = JSON.parse(JSON.stringify(toPersisted(m, 'abc', a)));

  // a later process: its monotonic clock starts near zero, the wall clock moved on 10 minutes
  const b = new VirtualClock(1000, a.wall() + 10 * 60_000 - 1000);
  const back = fromPersisted(stored, policy, b)!;
  assert.equal(back.fingerprint, 'abc');
  assert.equal(back.memory.registered, '203.0.113.5');
  assert.equal(b.now() - back.memory.registeredAt!, 2 * HOUR + 10 * 60_000);
  assert.equal(back.memory.tokens, 1.5);
  assert.equal(b.now() - back.memory.tokensAt, HOUR + 10 * 60_000);
  assert.deepEqual(back.memory.trouble, { failures: 3, at: b.now() - 11 * 60_000, delay: 240_000, address: '203.0.113.6', message: 'HTTP 503' });
});

test('timestamps from the future are treated as "just now", never trusted; a tokens stamp from the future refills nothing until the clock passes it', () => {
  const clock = new VirtualClock(DAY);
  const future = new Date(clock.wall() + 3 * DAY).toISOString();
  const back = fromPersisted(
    {
      registered: '203.0.113.5',
      registered_at: future,
      tokens: 0,
      tokens_at: future,
      rejected: { at: future, address: '203.0.113.5', message: 'HTTP 401', reach: 'service' },
    },
    policy,
    clock,
  )!;
  assert.equal(back.memory.registeredAt, clock.now());
  assert.equal(back.memory.tokensAt, clock.now() + 3 * DAY);
  assert.equal(back.memory.rejected?.at, clock.now());
});

test('a wall clock swinging between now and +30 days (one process per run, address flipping): the burst and one refill, not a bucket per swing', () => {
  const wall0 = Date.parse('2026-11-27T10:00:00Z');
  let stored: Record<string, unknown> = {};
  let sends = 0;
  for (let run = 0; run < 10; run++) {
    // each run is a new process: monotonic time starts afresh, the wall clock swings; a minute of real time per run
    const clock = new VirtualClock(1000, wall0 + run * 60_000 - 1000 + (run % 2 === 1 ? 30 * DAY : 0));
    const book = new RecordBook(clock, () => 0.5);
    book.reconcile([service({ ipv6: false })], stored);
    const e = [...book.entries.values()][0]!;
    e.machine.observe(run % 2 === 0 ? '203.0.113.1' : '203.0.113.2', 'checkip');
    const d = e.machine.decide(clock.now());
    if (d.kind === 'send') {
      sends++;
      e.machine.begin(d.address, clock.now());
      book.applyOutcome(e, { kind: 'ok', message: 'HTTP 200' }, clock.now());
    }
    stored = book.persisted();
  }
  // before: 10 of 10 (every forward swing found 30 days elapsed since the run before)
  assert.equal(sends, 4);
});

test('garbage in a stored record is ignored field by field', () => {
  const clock = new VirtualClock();
  assert.equal(fromPersisted('nonsense', policy, clock), null);
  const back = fromPersisted({ registered: 'not-an-ip', tokens: 99, tokens_at: 'yesterday', failures: 'x' }, policy, clock)!;
  assert.equal(back.memory.registered, null);
  assert.equal(back.memory.tokens, 3);
  assert.equal(back.memory.trouble, null);
});

test('a corrupt state file is set aside and rebuilt, with a warning', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'state.json'), '{"version":1,"records":{"home/exa');
  const log = memoryLog();
  const store = new StateStore(dir, log, new VirtualClock());
  assert.deepEqual(await store.load(), {});
  const aside = readdirSync(dir).filter((f) => f.startsWith('state.json.corrupt-'));
  assert.equal(aside.length, 1);
  assert.match(log.lines.map((l) => l.msg).join('\n'), /state: .*state\.json is unusable \(not valid JSON\); moved to .*corrupt-/);
});

test('a state file that is a directory, or an empty file, does not stop updyn', async (t) => {
  for (const make of [(p: string) => mkdirSync(p), (p: string) => writeFileSync(p, '')]) {
    const dir = tempDir(t);
    make(join(dir, 'state.json'));
    const log = memoryLog();
    const store = new StateStore(dir, log, new VirtualClock());
    assert.deepEqual(await store.load(), {});
    assert.ok(await store.save(() => ({})));
    assert.equal(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).version, 1);
  }
});

test('an unwritable state directory is logged once and the records stay in memory', async (t) => {
  if (process.getuid?.() === 0) {
    // root writes anywhere; a path under a regular file can never be created
    const dir = tempDir(t);
    writeFileSync(join(dir, 'file'), '');
    const log = memoryLog();
    const store = new StateStore(join(dir, 'file', 'sub'), log, new VirtualClock());
    assert.equal(await store.save(() => ({})), false);
    assert.equal(await store.save(() => ({})), false);
    const warnings = log.lines.filter((l) => l.msg.includes('keeping state in memory only'));
    assert.equal(warnings.length, 1);
    return;
  }
  const dir = tempDir(t);
  chmodSync(dir, 0o500);
  const store = new StateStore(dir, memoryLog(), new VirtualClock());
  assert.equal(await store.save(() => ({})), false);
});

test('a status write and a state write never hold the state directory at once: a save asked for meanwhile waits, and one asked for first is waited for', async (t) => {
  const dir = tempDir(t);
  const store = new StateStore(dir, memoryLog(), new VirtualClock());
  const order: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const status = store.beside(async () => {
    order.push('status start');
    await held;
    order.push('status end');
  });
  const saved = store.save(() => {
    order.push('state start');
    return {};
  });
  // many turns of the event loop: without the gate the save would have started by now
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['status start'], 'the save waits for the status write');
  release();
  assert.ok(await saved);
  await status;
  assert.deepEqual(order, ['status start', 'status end', 'state start']);
  // and the other way round: a status write asked for during a save runs after it
  const during: string[] = [];
  const again = store.save(() => {
    during.push('state');
    return {};
  });
  await store.beside(async () => {
    during.push(existsSync(join(dir, 'state.json')) && readdirSync(dir).every((f) => !f.endsWith('.tmp')) ? 'status, no temp file beside it' : 'status beside a temp file');
  });
  await again;
  assert.deepEqual(during, ['state', 'status, no temp file beside it']);
});

test('the state file holds no secret and is not world-readable', async (t) => {
  const dir = tempDir(t);
  const clock = new VirtualClock();
  const book = new RecordBook(clock);
  book.reconcile([service()]);
  const store = new StateStore(dir, memoryLog(), clock);
  await store.save(() => book.persisted());
  const text = readFileSync(join(dir, 'state.json'), 'utf8');
  assert.ok(!text.includes(TOKEN));
  assert.ok(existsSync(join(dir, 'state.json')));
  const { statSync } = await import('node:fs');
  assert.equal(statSync(join(dir, 'state.json')).mode & 0o077, 0);
});

test('records of a service that is disabled for a while are kept, and re-enabling it resumes them', async (t) => {
  const dir = tempDir(t);
  const clock = new VirtualClock();
  const s = service({ ipv6: false });
  const book = new RecordBook(clock);
  book.reconcile([s]);
  const e = book.entries.get('home/example.zerigo.com/ipv4')!;
  e.machine.observe('203.0.113.5', 'interface');
  e.machine.begin('203.0.113.5', clock.now());
  book.applyOutcome(e, { kind: 'ok', message: 'HTTP 200' }, clock.now());
  const store = new StateStore(dir, memoryLog(), clock);
  await store.save(() => book.persisted());

  book.reconcile([{ ...s, enabled: false }]);
  assert.equal(book.entries.size, 0);
  await store.save(() => book.persisted());

  const store2 = new StateStore(dir, memoryLog(), clock);
  const book2 = new RecordBook(clock);
  book2.reconcile([s], await store2.load());
  assert.equal(book2.entries.get(e.id)!.machine.memory.registered, '203.0.113.5');
});
