// The netlink watcher's own logic against a fake kernel (fake-kernel.ts):
// what it emits, how dumps and events are stitched together, and how it
// recovers, in cases the real kernel cannot be made to produce on cue.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { NetlinkWatcher } from '../../src/detect/netlink';
import type { DeviceSnapshot } from '../../src/types';
import { FakeKernel } from './fake-kernel';

const turn = () => new Promise<void>((res) => setImmediate(res));
const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));
const v4 = (s: DeviceSnapshot) => s.addresses.filter((a) => a.family === 'ipv4').map((a) => a.address);

async function started(t: TestContext, devices = ['wan']) {
  const k = new FakeKernel();
  k.setLink(2, 'wan', true, false);
  k.addAddress(2, '192.0.2.1', false);
  const w = new NetlinkWatcher(k.module, devices);
  t.after(() => w.close());
  const changes: DeviceSnapshot[] = [];
  const warnings: string[] = [];
  w.on('change', (s) => changes.push(s));
  w.on('warning', (m) => warnings.push(m));
  await w.start();
  return { k, w, changes, warnings };
}

/** Polls `cond` once per loop turn, at most `turns` times. */
async function eventually(cond: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await sleep(1);
  }
  assert.fail(`never happened: ${what}`);
}

describe('the netlink watcher, against a fake kernel', () => {
  test('the initial dump is read, not announced', async (t) => {
    const { w, changes } = await started(t);
    assert.deepEqual(v4(w.snapshot('wan')), ['192.0.2.1']);
    await turn();
    assert.equal(changes.length, 0);
  });

  test('events arriving in one turn of the event loop make one change, emitted in the next', async (t) => {
    const { k, changes } = await started(t);
    k.addAddress(2, '192.0.2.2');
    k.addAddress(2, '192.0.2.3');
    k.delAddress(2, '192.0.2.1');
    assert.equal(changes.length, 0, 'not synchronously');
    await turn();
    assert.equal(changes.length, 1);
    assert.deepEqual(v4(changes[0] as DeviceSnapshot), ['192.0.2.2', '192.0.2.3']);
  });

  test('an event that changes nothing relevant emits nothing', async (t) => {
    const { k, changes } = await started(t);
    k.addAddress(2, '192.0.2.1'); // same address again (a lifetime refresh)
    k.setLink(7, 'lan', true); // another device
    await turn();
    assert.equal(changes.length, 0);
  });

  test('events that arrive during a dump are replayed on top of it', async (t) => {
    const { k, w, changes } = await started(t);
    k.hold = true;
    const refreshed = w.refresh();
    await eventually(() => k.dumps === 4, 'the address dump to be asked');
    // after the dump's view was taken: only the events know
    k.addAddress(2, '198.51.100.1');
    k.delAddress(2, '192.0.2.1');
    k.release();
    await refreshed;
    assert.deepEqual(v4(w.snapshot('wan')), ['198.51.100.1']);
    assert.equal(changes.length, 1, 'one change, emitted before refresh() resolved');
  });

  test('late dump parts arriving as events are ignored', async (t) => {
    const { k, w } = await started(t);
    k.lateDumpPart(2, '203.0.113.9');
    await turn();
    assert.deepEqual(v4(w.snapshot('wan')), ['192.0.2.1']);
  });

  test('after ENOBUFS the socket is replaced, everything re-read, and one warning given', async (t) => {
    const { k, w, warnings, changes } = await started(t);
    const before = k.dumps;
    k.addAddress(2, '203.0.113.5', false); // lost with the overflow
    k.enobufs();
    await eventually(() => v4(w.snapshot('wan')).includes('203.0.113.5'), 'the lost address found by the re-read');
    assert.ok(k.dumps > before);
    assert.equal(k.sockets.filter((s) => s.groups.size > 0 && !s.closed).length, 1, 'exactly one event socket');
    assert.equal(k.sockets[0]?.closed, true, 'the overflowed socket is closed');
    assert.deepEqual(warnings, ['kernel address events were lost (receive buffer overflow); re-reading all addresses']);
    assert.equal(changes.length, 1);
  });

  test('ENOBUFS during a dump makes the dump start over instead of replaying a gappy stream', async (t) => {
    const { k, w, changes } = await started(t);
    k.hold = true;
    const refreshed = w.refresh();
    await eventually(() => k.dumps === 4, 'the address dump to be asked');
    k.addAddress(2, '198.51.100.1'); // seen, kept for replay...
    k.enobufs(); // ...but then events are lost:
    k.delAddress(2, '198.51.100.1', false);
    k.release();
    await refreshed;
    await eventually(() => k.dumps >= 6 && !v4(w.snapshot('wan')).includes('198.51.100.1'), 'a second round of dumps');
    assert.deepEqual(v4(w.snapshot('wan')), ['192.0.2.1']);
    assert.deepEqual(changes, [], 'not even a passing glimpse of the stale state');
  });

  test('an undecodable event causes a re-read and a warning', async (t) => {
    const { k, w, warnings } = await started(t);
    const before = k.dumps;
    k.garbage();
    await eventually(() => k.dumps > before, 'a re-read');
    assert.match(warnings[0] ?? '', /could not be decoded.*re-reading/);
    assert.deepEqual(v4(w.snapshot('wan')), ['192.0.2.1']);
  });

  test('a failing re-read is retried with backoff: one warning when it fails, one when it works again', async (t) => {
    const { k, w, warnings } = await started(t);
    k.failDumps = 3;
    k.addAddress(2, '203.0.113.5', false);
    await w.refresh();
    await eventually(() => v4(w.snapshot('wan')).includes('203.0.113.5'), 'the retries to succeed', 5000);
    assert.equal(warnings.length, 2, JSON.stringify(warnings));
    assert.match(warnings[0] ?? '', /re-reading addresses failed: dump refused; retrying/);
    assert.match(warnings[1] ?? '', /after 3 failed attempts/);
  });

  test('a start whose dump fails rejects, so that the caller can fall back to polling', async (t) => {
    const k = new FakeKernel();
    k.failDumps = 1;
    const w = new NetlinkWatcher(k.module, ['wan']);
    t.after(() => w.close());
    await assert.rejects(w.start(), /dump refused/);
  });

  test('a device deleted and re-created (new ifindex) is followed, even with the same address', async (t) => {
    const { k, changes } = await started(t);
    k.delLink(2);
    k.setLink(5, 'wan');
    k.addAddress(5, '192.0.2.1');
    await turn();
    assert.equal(changes.length, 1, 'a reconnect within one turn is still announced');
    assert.deepEqual(v4(changes[0] as DeviceSnapshot), ['192.0.2.1']);
  });

  test('close() during a dump settles refresh() and closes every socket', async (t) => {
    const { k, w } = await started(t);
    k.hold = true;
    const refreshed = w.refresh();
    await turn();
    w.close();
    await refreshed;
    assert.ok(k.sockets.every((s) => s.closed));
    k.release();
  });

  test('watch() changes the followed devices; the new one is not announced', async (t) => {
    const { k, w, changes } = await started(t);
    k.setLink(7, 'lan', true);
    await turn();
    w.watch(['lan']);
    k.addAddress(2, '192.0.2.99');
    await turn();
    assert.equal(changes.length, 0, 'wan is not followed any more, lan did not change');
    k.addAddress(7, '198.51.100.7');
    await turn();
    assert.deepEqual(changes.map((c) => c.name), ['lan']);
  });
});
