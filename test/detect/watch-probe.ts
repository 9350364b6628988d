// Runs a watcher inside a test namespace and reports on stdout, one JSON
// object a line; takes commands on stdin, one JSON object a line.
//
//   node watch-probe.js watch DEV[,DEV...] [POLL_MS]   createWatcher, then events
//   node watch-probe.js once DEV[,DEV...]              readDevices, print, exit
//
// Out: {event:'fallback',reason} {event:'ready',kind,snapshots} {event:'change',snapshot}
//      {event:'warning',message} and one answer per command.
// In:  {cmd:'refresh'} {cmd:'watch',devices} {cmd:'snapshot',device}
//      {cmd:'stall',ms}  (busy-loops now, so that kernel events pile up)
//      {cmd:'stall-in-callback',ms}  (busy-loops inside the addon's callback for the next kernel event)
//      {cmd:'break-socket'} (closes the netlink socket under the watcher)
//      {cmd:'close'}  (closes the watcher and stdin: the process must then exit by itself)
import { createInterface } from 'node:readline';
import type { DeviceSnapshot } from '../../src/types';
import { createWatcher, readDevices } from '../../src/detect/open';
import type { AddressWatcher } from '../../src/detect/watcher';

const [mode, deviceList = '', pollMs] = process.argv.slice(2);
const devices = deviceList.split(',').filter(Boolean);

function out(obj: object): void {
  process.stdout.write(JSON.stringify(obj, (_k, v: unknown) => (v === Infinity ? 'forever' : v)) + '\n');
}

const record = (m: Map<string, DeviceSnapshot>) => Object.fromEntries(m);

async function main(): Promise<void> {
  if (mode === 'once') {
    const r = await readDevices(devices);
    out({ event: 'once', kind: r.kind, snapshots: record(r.snapshots) });
    return;
  }
  const w = await createWatcher({
    devices,
    pollIntervalMs: pollMs ? Number(pollMs) : undefined,
    onFallback: (reason) => out({ event: 'fallback', reason }),
  });
  w.on('change', (snapshot) => out({ event: 'change', snapshot }));
  w.on('warning', (message) => out({ event: 'warning', message }));
  out({ event: 'ready', kind: w.kind, snapshots: Object.fromEntries(devices.map((d) => [d, w.snapshot(d)])) });
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => void command(w, JSON.parse(line) as Command, rl));
  // The test process is gone (or gave up on us): do not outlive it.
  rl.on('close', () => closing || process.exit(3));
}

let closing = false;

function busy(ms: number): void {
  out({ event: 'stalling' });
  const until = Date.now() + ms;
  while (Date.now() < until);
  out({ event: 'stalled' });
}

type Command =
  | { cmd: 'refresh' }
  | { cmd: 'watch'; devices: string[] }
  | { cmd: 'snapshot'; device: string }
  | { cmd: 'stall'; ms: number }
  | { cmd: 'stall-in-callback'; ms: number }
  | { cmd: 'break-socket' }
  | { cmd: 'close' };

async function command(w: AddressWatcher, c: Command, rl: ReturnType<typeof createInterface>): Promise<void> {
  switch (c.cmd) {
    case 'refresh':
      await w.refresh();
      return out({ event: 'refreshed' });
    case 'watch':
      w.watch(c.devices);
      return out({ event: 'watching', devices: c.devices });
    case 'snapshot':
      return out({ event: 'snapshot', snapshot: w.snapshot(c.device) });
    case 'stall':
      return busy(c.ms);
    case 'stall-in-callback': {
      // Reaches into the netlink watcher on purpose (see the ENOBUFS tests).
      const inner = w as unknown as { sock: { prependOnceListener(e: 'message', f: () => void): void } | null };
      inner.sock?.prependOnceListener('message', () => busy(c.ms));
      return out({ event: 'armed', had: inner.sock !== null });
    }
    case 'break-socket': {
      // Reaches into the netlink watcher on purpose: nothing public can kill its socket.
      const inner = w as unknown as { sock: { close(): void } | null };
      inner.sock?.close();
      return out({ event: 'broken', had: inner.sock !== null });
    }
    case 'close':
      closing = true;
      w.close();
      rl.close();
      process.stdin.destroy();
      return out({ event: 'closed' });
  }
}

main().catch((e: Error) => {
  out({ event: 'fatal', message: e.stack ?? e.message });
  process.exitCode = 1;
});
