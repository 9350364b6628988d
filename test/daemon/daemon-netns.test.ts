// `updyn run` against the real kernel: the shipped bundle inside a private
// network namespace watching a veth, the test provider in the same namespace.
// Each test changes addresses with `ip` and watches what reaches the provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createNetns } from '../support/netns';
import type { Netns } from '../support/netns';
import { spawnProvider } from '../provider/remote';
import type { SpawnedProvider } from '../provider/remote';
import type { RecordedRequest } from '../provider/types';
import { tempDir } from '../support/env';
import { TOKEN, uciFile } from '../support/fixtures';
import { Daemon } from '../support/updyn';

interface Router {
  ns: Netns;
  provider: SpawnedProvider;
  daemon: Daemon;
  conf: string;
  dir: string;
  write(over?: Partial<Parameters<typeof uciFile>[0]>): void;
  updates(): Promise<RecordedRequest[]>;
  waitUpdates(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
}

async function router(
  t: import('node:test').TestContext,
  opts: {
    over?: Partial<Parameters<typeof uciFile>[0]>;
    env?: Record<string, string>;
    before?: (ns: Netns) => Promise<void>;
    account?: string;
    checkip4?: string;
  } = {},
): Promise<Router | null> {
  const ns = await createNetns(t);
  if (!ns) return null;
  await ns.addVeth('v0', 'v0p');
  if (opts.before) await opts.before(ns);
  const provider = await spawnProvider(
    ['--account', opts.account ?? `login@example.com:${TOKEN}:example.zerigo.com`, '--quiet', ...(opts.checkip4 ? ['--checkip4', opts.checkip4] : [])],
    { netns: ns.name },
  );
  t.after(() => provider.stop());
  const dir = tempDir(t);
  const conf = join(dir, 'updyn.conf');
  const write = (over: Partial<Parameters<typeof uciFile>[0]> = {}) =>
    writeFileSync(
      conf,
      uciFile({ url: provider.url, url6: provider.url6 ?? provider.url, stateDir: join(dir, 'state'), device: 'v0', ...opts.over, ...over }),
      { mode: 0o600 },
    );
  write();
  const daemon = new Daemon(['-c', conf], { netns: ns.name, env: opts.env ?? {} });
  t.after(() => daemon.stop());
  await daemon.waitFor(/updyn started/);
  const updates = async () => (await provider.requests()).filter((r) => r.endpoint === 'update');
  const waitUpdates = (n: number, timeoutMs = 10_000) => provider.waitForRequests(n, timeoutMs, (r) => r.endpoint === 'update');
  return { ns, provider, daemon, conf, dir, write, updates, waitUpdates };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * "Nothing more was sent", proved rather than slept on: call it once the daemon
 * has logged the line showing it handled the event (so it has decided: the
 * `sending` line of a decision is written in the same turn). A SIGUSR2 is then
 * answered in a later turn, so its line comes after every line of that
 * decision: no `sending` line from `mark` to it means no request was started.
 */
async function nothingSentSince(r: Router, mark: number): Promise<void> {
  const barrier = r.daemon.lines.length;
  r.daemon.signal('SIGUSR2');
  await r.daemon.waitFor(/SIGUSR2: re-checking addresses/, 10_000, barrier);
  const sent = r.daemon.lines.slice(mark).filter((l) => /: sending /.test(l));
  assert.deepEqual(sent, [], 'nothing sent');
}

test('add, replace and delete IPv4 and IPv6 addresses: each change reaches the provider once', async (t) => {
  const r = await router(t);
  if (!r) return;
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await r.ns.ip('-6', 'addr', 'add', '2001:db8::5/64', 'dev', 'v0', 'nodad');
  const first = await r.waitUpdates(2);
  assert.deepEqual(first.map((u) => u.ip).sort(), ['2001:db8::5', '203.0.113.5']);

  // replace (a new primary, then the old one goes): the new address goes out once
  await r.ns.ip('addr', 'add', '198.51.100.6/24', 'dev', 'v0');
  await r.ns.ip('addr', 'del', '203.0.113.5/24', 'dev', 'v0');
  const third = await r.waitUpdates(3);
  assert.equal(third[2]!.ip, '198.51.100.6');
  await r.daemon.waitFor(/A: updated 203\.0\.113\.5 -> 198\.51\.100\.6/);

  // the link going down: no address, nothing sent; up again with the same address: still nothing (dedup)
  await r.ns.ip('link', 'set', 'v0', 'down');
  await r.daemon.waitFor(/A: no address \(device down\)/);
  const mark = r.daemon.lines.length;
  await r.ns.ip('link', 'set', 'v0', 'up');
  await r.daemon.waitFor(/A: address 198\.51\.100\.6 \(interface v0\)/, 10_000, mark);
  // (a SIGUSR2 barrier here, as in nothingSentSince, made status.json show no current address: left for now)
  await sleep(500);
  assert.ok(!r.daemon.lines.slice(mark).some((l) => /: sending /.test(l)), 'nothing sent');
  assert.equal((await r.updates()).length, 3);

  const status = JSON.parse(readFileSync(join(r.dir, 'state', 'status.json'), 'utf8'));
  const a = status.services[0].records.find((x: { type: string }) => x.type === 'A');
  assert.equal(a.current, '198.51.100.6');
  assert.equal(a.registered, '198.51.100.6');
  assert.equal(a.last_result, 'ok');
  assert.equal(status.pid > 0, true);
});

test('an IPv6 address going deprecated gives way to another; a second valid address does not flip the choice', async (t) => {
  const r = await router(t, { over: { ipv4: false } });
  if (!r) return;
  await r.ns.ip('-6', 'addr', 'add', '2001:db8::5/64', 'dev', 'v0', 'nodad');
  await r.waitUpdates(1);
  // a second valid address appears: the current choice is kept (no flip-flop)
  await r.ns.ip('-6', 'addr', 'add', '2001:db8::6/64', 'dev', 'v0', 'nodad');
  await sleep(500);
  assert.equal((await r.updates()).length, 1);
  // the first turns deprecated (no RTM_DELADDR, only new flags): the other one is published
  await r.ns.ip('-6', 'addr', 'change', '2001:db8::5/64', 'dev', 'v0', 'preferred_lft', '0');
  const two = await r.waitUpdates(2);
  assert.equal(two[1]!.ip, '2001:db8::6');
});

test('the device deleted and re-created (new ifindex) is followed by name', async (t) => {
  const r = await router(t, { over: { ipv6: false } });
  if (!r) return;
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await r.waitUpdates(1);
  await r.ns.ip('link', 'del', 'v0');
  // the kernel may say "down" before the link is gone: either way the address is gone
  await r.daemon.waitFor(/A: no address \(device (not present|down)\)/);
  await r.ns.addVeth('v0', 'v0p');
  await r.ns.ip('addr', 'add', '198.51.100.9/24', 'dev', 'v0');
  const two = await r.waitUpdates(2);
  assert.equal(two[1]!.ip, '198.51.100.9');
});

test('flapping between two addresses 20 times in 10 s costs at most 3 requests, and the final address is queued', async (t) => {
  const r = await router(t, { over: { ipv6: false } });
  if (!r) return;
  await r.ns.ip('addr', 'add', '203.0.113.10/24', 'dev', 'v0');
  for (let i = 0; i < 20; i++) {
    const [add, del] = i % 2 === 0 ? ['198.51.100.11', '203.0.113.10'] : ['203.0.113.10', '198.51.100.11'];
    await r.ns.ipBatch([`addr add ${add}/24 dev v0`, `addr del ${del}/24 dev v0`]);
    await sleep(450);
  }
  await sleep(1000);
  const sent = await r.updates();
  assert.ok(sent.length <= 3, `${sent.length} requests during the flapping`);
  // the last state is .10; if it is not the registered one, it waits for a token
  const status = JSON.parse(readFileSync(join(r.dir, 'state', 'status.json'), 'utf8'));
  const a = status.services[0].records[0];
  assert.equal(a.current, '203.0.113.10');
  if (a.registered !== '203.0.113.10') {
    assert.equal(a.last_result, 'pending');
    assert.ok(Date.parse(a.next_attempt_at) - Date.now() <= 3600_000 + 5000, 'the final address goes out within the hour');
    assert.ok(r.daemon.lines.some((l) => /rate limited; 203\.0\.113\.10 will be sent at \d\d:\d\d/.test(l)));
  }
});

test('a private address on the device makes the daemon ask checkip, and again after each device event', async (t) => {
  const r = await router(t, { over: { ipv6: false }, before: (ns) => ns.ip('addr', 'add', '100.64.1.2/10', 'dev', 'v0').then(() => undefined), checkip4: '198.51.100.77' });
  if (!r) return;
  const [u] = await r.waitUpdates(1);
  assert.equal(u!.ip, '198.51.100.77');
  await r.daemon.waitFor(/A: address 198\.51\.100\.77 \(checkip, 100\.64\.1\.2 is not public\)/);
  // the NAT's public address changes; a reconnect (device event) makes the daemon look at once
  await r.provider.setCheckipAnswer('ipv4', '198.51.100.78');
  const checks = (await r.provider.requests()).filter((x) => x.endpoint === 'checkip').length;
  await r.ns.ip('addr', 'add', '100.64.1.3/10', 'dev', 'v0');
  const two = await r.waitUpdates(2);
  assert.equal(two[1]!.ip, '198.51.100.78');
  assert.ok((await r.provider.requests()).filter((x) => x.endpoint === 'checkip').length > checks);
});

test('provider trouble: logged with the retry time, and a new address is not held back by the backoff', async (t) => {
  const r = await router(t, { over: { ipv6: false } });
  if (!r) return;
  await r.provider.setMode('update', { kind: 'status', status: 503, times: 1 });
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await r.daemon.waitFor(/A: provider trouble \(HTTP 503\); retry in \d+ s/);
  await r.ns.ip('addr', 'add', '198.51.100.6/24', 'dev', 'v0');
  await r.ns.ip('addr', 'del', '203.0.113.5/24', 'dev', 'v0');
  const two = await r.waitUpdates(2);
  assert.equal(two[1]!.ip, '198.51.100.6');
  assert.equal(two[1]!.status, 200);
});

test('provider down, then up: the retry comes by itself after the backoff (about a minute)', async (t) => {
  const r = await router(t, { over: { ipv6: false } });
  if (!r) return;
  await r.provider.setMode('update', { kind: 'close', times: 1 });
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  const line = await r.daemon.waitFor(/A: provider trouble \(.*\); retry in (\d+) s/);
  const retryS = Number(/retry in (\d+) s/.exec(line)![1]);
  assert.ok(retryS >= 59 && retryS <= 73, `retry in ${retryS} s`);
  const two = await r.waitUpdates(2, 80_000);
  assert.equal(two[1]!.status, 200);
  assert.ok(two[1]!.clockMs - two[0]!.clockMs >= 60_000 - 500, 'not before the base delay');
  await r.daemon.waitFor(/A: updated 203\.0\.113\.5 \(HTTP 200/);
});

test('401: rejected once, no hammering on events, SIGUSR2 or reconnects with the same address', async (t) => {
  const r = await router(t, { over: { ipv6: false, token: 'wrong-token-123' } });
  if (!r) return;
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await r.daemon.waitFor(/rejected by provider \(HTTP 401: bad login or token\)/);
  const mark = r.daemon.lines.length;
  r.daemon.signal('SIGUSR2');
  await r.daemon.waitFor(/SIGUSR2: re-checking addresses/, 10_000, mark);
  await r.ns.ip('link', 'set', 'v0', 'down');
  await r.daemon.waitFor(/A: no address \(device down\)/, 10_000, mark);
  await r.ns.ip('link', 'set', 'v0', 'up');
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0').catch(() => undefined);
  // the reconnect reached the daemon (the address is back), and it decided not to send
  await r.daemon.waitFor(/A: address 203\.0\.113\.5 \(interface v0\)/, 10_000, mark);
  await nothingSentSince(r, mark);
  assert.equal((await r.updates()).length, 1);
  // SIGUSR1 is the user's explicit retry
  r.daemon.signal('SIGUSR1');
  await r.waitUpdates(2);
});

test('SIGHUP with a broken config keeps the running one; a fixed config is then loaded', async (t) => {
  const r = await router(t, { over: { ipv6: false } });
  if (!r) return;
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await r.waitUpdates(1);
  writeFileSync(r.conf, "config service 'home'\n\toption enabled 'maybe\n");
  r.daemon.signal('SIGHUP');
  await r.daemon.waitFor(/SIGHUP: the new config has errors \(above\); keeping the running config/);
  assert.ok(r.daemon.lines.some((l) => l.startsWith(`${r.conf}:2: `)), r.daemon.lines.join('\n'));
  // still serving
  await r.ns.ip('addr', 'add', '198.51.100.6/24', 'dev', 'v0');
  await r.ns.ip('addr', 'del', '203.0.113.5/24', 'dev', 'v0');
  await r.waitUpdates(2);
  // a fixed config with a second host: the old record keeps its state, the new one is sent
  r.write({ ipv6: false, hosts: ['example.zerigo.com', 'www.example.zerigo.com'] });
  r.daemon.signal('SIGHUP');
  await r.daemon.waitFor(/SIGHUP: config reloaded \(1 record\(s\) added, 0 removed\)/);
  const three = await r.waitUpdates(3);
  assert.equal(three[2]!.host, 'www.example.zerigo.com');
  await r.daemon.waitFor(/www\.example\.zerigo\.com A: (updated 198\.51\.100\.6|rejected by provider)/);
  const mark = r.daemon.lines.findIndex((l) => /SIGHUP: config reloaded \(1 record/.test(l)) + 1;
  // after the reload, only the new record was sent
  const sent = r.daemon.lines.slice(mark).filter((l) => /: sending /.test(l));
  assert.deepEqual(sent.map((l) => l.split(':')[0]), ['home www.example.zerigo.com A']);
  await nothingSentSince(r, r.daemon.lines.length);
  assert.equal((await r.updates()).length, 3);
});

test('SIGTERM during a request waits for it (bounded by the timeout), flushes state and exits 0', async (t) => {
  const r = await router(t, { over: { ipv6: false, extra: "\toption timeout '3'" } });
  if (!r) return;
  await r.provider.setMode('update', { kind: 'hang' });
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await r.daemon.waitFor(/A: sending 203\.0\.113\.5/);
  const started = Date.now();
  r.daemon.signal('SIGTERM');
  const { code } = await r.daemon.exited;
  const took = Date.now() - started;
  assert.equal(code, 0);
  assert.ok(took < 3000 + 2500, `stopped after ${took} ms`);
  assert.ok(r.daemon.lines.some((l) => /SIGTERM: stopping after the request in flight/.test(l)));
  const state = JSON.parse(readFileSync(join(r.dir, 'state', 'state.json'), 'utf8'));
  const rec = state.records['home/example.zerigo.com/ipv4'];
  assert.equal(rec.failures, 1, 'the timed-out request is remembered as trouble');
});

test('SIGUSR1 forces every record out, spending tokens', async (t) => {
  const r = await router(t);
  if (!r) return;
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await r.ns.ip('-6', 'addr', 'add', '2001:db8::5/64', 'dev', 'v0', 'nodad');
  await r.waitUpdates(2);
  r.daemon.signal('SIGUSR1');
  const four = await r.waitUpdates(4);
  assert.deepEqual(four.slice(2).map((u) => u.ip).sort(), ['2001:db8::5', '203.0.113.5']);
  await r.daemon.waitFor(/sending 203\.0\.113\.5 \(forced\)/);
});

test('without the netlink addon the daemon polls and still follows changes', async (t) => {
  const r = await router(t, { over: { ipv6: false }, env: { UPDYN_NETLINK_ADDON: 'off', UPDYN_POLL_INTERVAL: '1' } });
  if (!r) return;
  assert.ok(r.daemon.lines.some((l) => /netlink unavailable .*; polling addresses instead/.test(l)));
  assert.ok(r.daemon.lines.some((l) => /addresses through poll/.test(l)));
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  const [u] = await r.waitUpdates(1, 10_000);
  assert.equal(u!.ip, '203.0.113.5');
});

test('run --dry-run detects and decides but sends and records nothing', async (t) => {
  const ns = await createNetns(t);
  if (!ns) return;
  await ns.addVeth('v0', 'v0p');
  const provider = await spawnProvider(['--quiet'], { netns: ns.name });
  t.after(() => provider.stop());
  const dir = tempDir(t);
  const conf = join(dir, 'updyn.conf');
  writeFileSync(conf, uciFile({ url: provider.url, stateDir: join(dir, 'state'), device: 'v0', ipv6: false }), { mode: 0o600 });
  const daemon = new Daemon(['-c', conf, '--dry-run'], { netns: ns.name });
  t.after(() => daemon.stop());
  await daemon.waitFor(/updyn started: .*dry run/);
  await ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await daemon.waitFor(/A: would send 203\.0\.113\.5 \(no registration known; dry run\)/);
  await ns.ip('addr', 'add', '198.51.100.6/24', 'dev', 'v0');
  await ns.ip('addr', 'del', '203.0.113.5/24', 'dev', 'v0');
  await daemon.waitFor(/A: would send 198\.51\.100\.6 \(registered 203\.0\.113\.5; dry run\)/);
  assert.equal((await provider.requests()).filter((r) => r.endpoint === 'update').length, 0);
  const { code } = await daemon.stop();
  assert.equal(code, 0);
  assert.ok(!existsSync(join(dir, 'state', 'state.json')));
});

/**
 * What `ubus subscribe network.interface` prints for one netifd notification:
 * ubus cli.c print_event writes `{ "%s": %s }\n`, the method and
 * blobmsg_format_json(msg, true) (compact JSON); netifd ubus.c
 * netifd_ubus_interface_notify sends "interface.update" (up) or
 * "interface.down" with "interface" first, then the interface's status
 * (netifd_dump_status: up, pending, available, ..., l3_device, the address lists).
 */
function netifdNotification(kind: 'interface.update' | 'interface.down', iface: string, device: string, v4: string[], v6: string[]): string {
  const up = kind === 'interface.update';
  const status = {
    interface: iface,
    up,
    pending: false,
    available: true,
    autostart: true,
    dynamic: false,
    ...(up ? { uptime: 42, l3_device: device } : {}),
    proto: 'dhcp',
    device,
    metric: 0,
    dns_metric: 0,
    delegation: true,
    'ipv4-address': v4.map((a) => ({ address: a.split('/')[0], mask: Number(a.split('/')[1]) })),
    'ipv6-address': v6.map((a) => ({ address: a.split('/')[0], mask: Number(a.split('/')[1]) })),
    'ipv6-prefix': [],
    'ipv6-prefix-assignment': [],
    route: [],
    'dns-server': [],
    'dns-search': [],
    neighbors: [],
    inactive: { 'ipv4-address': [], 'ipv6-address': [], route: [], 'dns-server': [], 'dns-search': [], neighbors: [] },
    data: {},
  };
  return `{ "${kind}": ${JSON.stringify(status)} }\n`;
}

/**
 * A recording `ubus` on PATH: it notes its arguments, takes only `subscribe
 * network.interface` (what the daemon must run), and prints what the test
 * writes into a FIFO, as the real one prints netifd's notifications.
 */
function recordingUbus(t: import('node:test').TestContext): { bin: string; calls: string; open(): number } {
  const dir = tempDir(t);
  const bin = join(dir, 'bin');
  const fifo = join(dir, 'events');
  const calls = join(dir, 'calls');
  mkdirSync(bin);
  spawnSync('mkfifo', [fifo]);
  writeFileSync(join(bin, 'ubus'), `#!/bin/sh\necho "$*" >> ${calls}\n[ "$*" = "subscribe network.interface" ] || exit 2\nexec cat ${fifo}\n`, { mode: 0o755 });
  return {
    bin,
    calls,
    open: () => {
      const fd = openSync(fifo, 'w');
      t.after(() => closeSync(fd));
      return fd;
    },
  };
}

test("without the addon on OpenWrt, netifd's interface.update (ubus subscribe) wakes the poll at once, for a change inside a live interface", async (t) => {
  const ubus = recordingUbus(t);
  const r = await router(t, {
    over: { ipv6: false },
    env: { UPDYN_NETLINK_ADDON: 'off', UPDYN_POLL_INTERVAL: '3600', PATH: `${ubus.bin}:${process.env.PATH}` },
  });
  if (!r) return;
  await r.daemon.waitFor(/following netifd's notifications \(ubus subscribe network\.interface\)/);
  const writer = ubus.open();
  await r.ns.ip('addr', 'add', '203.0.113.5/24', 'dev', 'v0');
  await sleep(300);
  assert.equal((await r.updates()).length, 0, 'the hourly poll has not looked yet');
  writeSync(writer, netifdNotification('interface.update', 'wan', 'v0', ['203.0.113.5/24'], []));
  const [u] = await r.waitUpdates(1, 5000);
  assert.equal(u!.ip, '203.0.113.5');
  // a DHCP renew to a new address: no ifup, only another interface.update
  await r.ns.ip('addr', 'add', '198.51.100.6/24', 'dev', 'v0');
  await r.ns.ip('addr', 'del', '203.0.113.5/24', 'dev', 'v0');
  writeSync(writer, netifdNotification('interface.update', 'wan', 'v0', ['198.51.100.6/24'], []));
  const second = await r.waitUpdates(2, 5000);
  assert.equal(second[1]!.ip, '198.51.100.6');
  // one child process, the subscription
  assert.equal(readFileSync(ubus.calls, 'utf8'), 'subscribe network.interface\n');
});

test('without the addon, a re-read takes the IPv6 flags from /proc/net/if_inet6: temporary, deprecated and tentative addresses are never published', async (t) => {
  const ubus = recordingUbus(t);
  const r = await router(t, {
    over: { ipv4: false },
    env: { UPDYN_NETLINK_ADDON: 'off', UPDYN_POLL_INTERVAL: '3600', PATH: `${ubus.bin}:${process.env.PATH}` },
    before: async (ns) => {
      // temporary addresses for a `mngtmpaddr` address; DAD long enough that a new address stays tentative
      await ns.exec('sysctl', ['-qw', 'net.ipv6.conf.v0.use_tempaddr=2', 'net.ipv6.conf.v0.accept_dad=1', 'net.ipv6.conf.v0.dad_transmits=200']);
    },
  });
  if (!r) return;
  await r.daemon.waitFor(/addresses through poll/);
  const writer = ubus.open();
  await r.ns.ip('-6', 'addr', 'add', '2001:db8:5::5/64', 'dev', 'v0', 'mngtmpaddr', 'nodad');
  writeSync(writer, netifdNotification('interface.update', 'wan6', 'v0', [], ['2001:db8:5::5/64']));
  const [u] = await r.waitUpdates(1, 5000);
  assert.equal(u!.ip, '2001:db8:5::5');
  const shown = await r.ns.ip('-6', 'addr', 'show', 'dev', 'v0');
  assert.match(shown, /temporary/, 'the kernel made a temporary address');
  // a deprecated and a tentative address appear, then the stable one goes (its
  // temporary addresses may go with it, or linger: neither kind may be published)
  await r.ns.ip('-6', 'addr', 'add', '2001:db8:6::6/64', 'dev', 'v0', 'nodad', 'preferred_lft', '0');
  await r.ns.ip('-6', 'addr', 'add', '2001:db8:7::7/64', 'dev', 'v0');
  writeSync(writer, netifdNotification('interface.update', 'wan6', 'v0', [], ['2001:db8:5::5/64', '2001:db8:6::6/64', '2001:db8:7::7/64']));
  await r.ns.ip('-6', 'addr', 'del', '2001:db8:5::5/64', 'dev', 'v0');
  const left = await r.ns.ip('-6', 'addr', 'show', 'dev', 'v0');
  assert.match(left, /2001:db8:6::6\/64 scope global (nodad )?deprecated/);
  assert.match(left, /2001:db8:7::7\/64 scope global tentative/);
  writeSync(writer, netifdNotification('interface.update', 'wan6', 'v0', [], ['2001:db8:6::6/64', '2001:db8:7::7/64']));
  // then a good one: the next request must carry it, with nothing in between
  await r.ns.ip('-6', 'addr', 'add', '2001:db8:8::8/64', 'dev', 'v0', 'nodad');
  writeSync(writer, netifdNotification('interface.update', 'wan6', 'v0', [], ['2001:db8:8::8/64']));
  const all = await r.waitUpdates(2, 5000);
  assert.equal(all[1]!.ip, '2001:db8:8::8');
  await sleep(300);
  assert.deepEqual((await r.updates()).map((x) => x.ip), ['2001:db8:5::5', '2001:db8:8::8']);
});

test('a privacy (temporary) address appearing next to the stable one is never published', async (t) => {
  const r = await router(t, {
    over: { ipv4: false },
    // the kernel makes temporary addresses for a `mngtmpaddr` address when use_tempaddr > 0
    before: async (ns) => {
      await ns.exec('sysctl', ['-qw', 'net.ipv6.conf.v0.use_tempaddr=2', 'net.ipv6.conf.v0.accept_dad=0']);
    },
  });
  if (!r) return;
  await r.ns.ip('-6', 'addr', 'add', '2001:db8:5::5/64', 'dev', 'v0', 'mngtmpaddr', 'nodad');
  const [u] = await r.waitUpdates(1);
  assert.equal(u!.ip, '2001:db8:5::5');
  const out = await r.ns.ip('-6', 'addr', 'show', 'dev', 'v0');
  assert.match(out, /temporary/, 'the kernel made a temporary address');
  await r.daemon.waitFor(/AAAA: updated 2001:db8:5::5 \(HTTP 200/);
  // the temporary address exists (above) and is in the daemon's view after a re-read: still nothing sent
  const mark = r.daemon.lines.length;
  await nothingSentSince(r, mark);
  await nothingSentSince(r, mark);
  assert.equal((await r.updates()).length, 1);
});
