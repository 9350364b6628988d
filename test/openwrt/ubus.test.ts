// listenUbus against a recording `ubus` (test/openwrt/shims/usr/bin/ubus) that
// prints recorded `ubus subscribe network.interface` lines, exits when told to,
// and notes each run's pid.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExecutable, listenUbus, type UbusListener } from '../../src/detect/ubus';
import { tempDir } from '../support/env';
import { SHIMS } from './router';

// what netifd's notifications look like through `ubus subscribe` (ubus cli.c
// print_event: `{ "METHOD": DATA }`; netifd ubus.c netifd_ubus_interface_notify)
const IFUP_WAN = '{ "interface.update": {"interface":"wan","up":true,"pending":false,"available":true,"l3_device":"eth1","ipv4-address":[{"address":"203.0.113.7","mask":24}]} }';
const IFDOWN_WAN6 = '{ "interface.down": {"interface":"wan6","up":false,"pending":false,"available":true} }';
const IFUP_WAN6 = '{ "interface.update": {"interface":"wan6","up":true,"ipv6-address":[{"address":"2001:db8::7","mask":64}]} }';

interface Fake {
  dir: string;
  bin: string;
  ubus: string;
  /** Lines for every run, or for run N (1-based). */
  events(lines: string[], run?: number): void;
  pids(): number[];
  runs(): number;
}

function fakeUbus(t: TestContext): Fake {
  const dir = tempDir(t, 'updyn-ubus-');
  const bin = join(dir, 'bin');
  const state = join(dir, 'state');
  mkdirSync(bin);
  mkdirSync(state);
  const ubus = join(bin, 'ubus');
  writeFileSync(ubus, `#!/bin/sh\nSHIM_STATE='${state}' exec '${process.execPath}' '${join(SHIMS, 'usr/bin/ubus')}' "$@"\n`, { mode: 0o755 });
  return {
    dir,
    bin,
    ubus,
    events: (lines, run) => writeFileSync(join(state, run ? `listen.${run}.events` : 'listen.events'), `${lines.join('\n')}\n`),
    pids: () => (existsSync(join(state, 'listen.pids')) ? readFileSync(join(state, 'listen.pids'), 'utf8').split('\n').filter(Boolean).map(Number) : []),
    runs: () => (existsSync(join(state, 'listen.runs')) ? Number(readFileSync(join(state, 'listen.runs'), 'utf8')) : 0),
  };
}

interface Seen {
  events: number;
  warnings: string[];
  listener: UbusListener;
}

function listen(t: TestContext, fake: Fake, opts: { minMs?: number; maxMs?: number; onEvent?: () => void } = {}): Seen {
  const seen = { events: 0, warnings: [] as string[] } as Seen;
  const l = listenUbus({
    command: [fake.ubus, 'subscribe', 'network.interface'],
    onEvent: () => {
      seen.events++;
      opts.onEvent?.();
    },
    onWarning: (m) => seen.warnings.push(m),
    restartMinMs: opts.minMs ?? 50,
    restartMaxMs: opts.maxMs ?? 400,
  });
  assert.ok(l, 'a listener');
  seen.listener = l;
  t.after(() => l.close());
  return seen;
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('each interface.update / interface.down notification wakes the daemon; anything else is ignored, garbage with one warning', async (t) => {
  const fake = fakeUbus(t);
  fake.events([IFUP_WAN, 'Failed to parse', IFDOWN_WAN6, '{ "network.interface": {"action":"ifup","interface":"wan"} }', '{ "interface.other": {"interface":"wan"} }', '[1,2]', '{ "interface.update": "odd" }', '', IFUP_WAN6]);
  const seen = listen(t, fake);
  await until('three events', () => seen.events === 3);
  await sleep(100);
  assert.equal(seen.events, 3);
  assert.deepEqual(seen.warnings, [
    'ubus subscribe network.interface: ignoring output that is not an event ("Failed to parse"); further such lines are ignored silently',
  ]);
});

test('a line longer than 64 KiB is dropped whole, and the next event still counts', async (t) => {
  const fake = fakeUbus(t);
  fake.events([`{ "interface.update": {"interface":"${'w'.repeat(70_000)}"} }`, IFUP_WAN]);
  const seen = listen(t, fake);
  await until('one event', () => seen.events === 1);
  await sleep(100);
  assert.equal(seen.events, 1);
  assert.deepEqual(seen.warnings, ['ubus subscribe network.interface: ignoring output that is not an event (a line longer than 64 KiB); further such lines are ignored silently']);
});

test('when ubus exits it runs again after a doubling delay, and the daemon looks once', async (t) => {
  const fake = fakeUbus(t);
  fake.events([IFUP_WAN, '#stderr Failed to connect to ubus', '#exit 255'], 1);
  fake.events(['#exit 1'], 2);
  fake.events([IFUP_WAN6], 3);
  const times: number[] = [];
  const seen = listen(t, fake, { minMs: 100, maxMs: 1000, onEvent: () => times.push(Date.now()) });
  // run 1: its event; run 2: the look after a restart; run 3: the look, then its event
  await until('four wake-ups', () => seen.events === 4);
  assert.equal(fake.runs(), 3);
  assert.deepEqual(seen.warnings, [
    'ubus subscribe network.interface stopped (exit code 255): Failed to connect to ubus; starting it again in 100 ms',
    'ubus subscribe network.interface stopped (exit code 1); starting it again in 200 ms',
  ]);
  const [first = 0, second = 0, third = 0] = times;
  assert.ok(second - first >= 100, `first restart after ${second - first} ms`);
  assert.ok(third - second >= 200, `second restart after ${third - second} ms`);
});

test('close() ends ubus, and nothing runs after', async (t) => {
  const fake = fakeUbus(t);
  fake.events([IFUP_WAN]);
  const seen = listen(t, fake);
  await until('an event', () => seen.events === 1);
  const [pid] = fake.pids();
  assert.ok(pid && alive(pid));
  seen.listener.close();
  await until('ubus gone', () => !alive(pid));
  await sleep(300);
  assert.equal(fake.runs(), 1, 'not started again');
  assert.deepEqual(seen.warnings, []);
  seen.listener.close();
});

test('close() while waiting to start ubus again cancels the restart', async (t) => {
  const fake = fakeUbus(t);
  fake.events(['#exit 3']);
  const seen = listen(t, fake, { minMs: 200 });
  await until('the exit', () => seen.warnings.length === 1);
  seen.listener.close();
  await sleep(500);
  assert.equal(fake.runs(), 1);
  assert.equal(seen.events, 0);
});

test('a handler that throws is reported, and listening goes on', async (t) => {
  const fake = fakeUbus(t);
  fake.events([IFUP_WAN, IFUP_WAN6]);
  let calls = 0;
  const warnings: string[] = [];
  const l = listenUbus({
    command: [fake.ubus, 'subscribe', 'network.interface'],
    onEvent: () => {
      calls++;
      throw new Error('boom');
    },
    onWarning: (m) => warnings.push(m),
  });
  assert.ok(l);
  t.after(() => l.close());
  await until('two calls', () => calls === 2);
  assert.deepEqual(warnings, ['ubus subscribe network.interface: the event handler failed: boom', 'ubus subscribe network.interface: the event handler failed: boom']);
});

test('without ubus on PATH there is no listener; the default command is found on PATH', async (t) => {
  const fake = fakeUbus(t);
  const noop = { onEvent: () => undefined, onWarning: () => undefined };
  const saved = process.env.PATH;
  t.after(() => {
    process.env.PATH = saved;
  });
  process.env.PATH = join(fake.dir, 'nothing-here');
  assert.equal(listenUbus(noop), null);
  assert.equal(listenUbus({ ...noop, command: [join(fake.dir, 'missing/ubus'), 'subscribe'] }), null);
  // a file that is not executable is not a program
  assert.equal(listenUbus({ ...noop, command: [join(fake.dir, 'state')] }), null);
  process.env.PATH = `:${fake.bin}`;
  assert.equal(findExecutable('ubus'), fake.ubus);
  fake.events([IFUP_WAN]);
  let events = 0;
  const l = listenUbus({ onEvent: () => events++, onWarning: () => undefined });
  assert.ok(l);
  t.after(() => l.close());
  await until('an event through the default command', () => events === 1);
  // the default is a subscription to netifd's object, not `ubus listen` (which misses interface.update)
  assert.deepEqual(readFileSync(join(fake.dir, 'state/ubus.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)), [['subscribe', 'network.interface']]);
});
