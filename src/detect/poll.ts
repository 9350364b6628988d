// The fallback watcher, for when the netlink addon cannot load: it reads what
// the system shows every `intervalMs` and on refresh(), and emits what
// differs. Slower to notice, same answers where the sources allow:
// - IPv4: os.networkInterfaces() (getifaddrs, in the kernel's order, so the
//   first address is the primary); it lists only devices that are up.
// - IPv6: /proc/net/if_inet6, which carries the IFA_F_* flags (temporary,
//   deprecated, tentative, DAD-failed, permanent) but no lifetimes; without
//   it, os.networkInterfaces() and no flags at all.
// - presence and up-ness: /sys/class/net/<dev>/{ifindex,flags,operstate}.
import { readFile } from 'node:fs/promises';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { TypedEmitter } from 'tiny-typed-emitter';
import type { AddressScope, DeviceSnapshot, InterfaceAddress } from '../types';
import { ChangeTracker, WarningGate } from './changes';
import { formatIPv6, inPrefix, parseIPv4 } from '../lib/ip';
import { canonicalAddress } from '../lib/ip';
import { isDeviceName } from '../lib/netdev';
import { viewKey } from './table';
import type { AddressWatcher, WatcherEvents } from './watcher';

const DEFAULT_INTERVAL_MS = 30_000;
/** a floor, so that a zero or negative setting cannot spin */
const MIN_INTERVAL_MS = 10;

interface Reading {
  snapshot: DeviceSnapshot;
  /** ifindex when /sys tells it: a re-created device is news even with the same addresses */
  index: string;
}

export class PollWatcher extends TypedEmitter<WatcherEvents> implements AddressWatcher {
  readonly kind = 'poll' as const;
  private readonly tracker = new ChangeTracker();
  private wanted: string[];
  private readings = new Map<string, Reading>();
  private phase: 'new' | 'started' | 'closed' = 'new';
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private readonly gate = new WarningGate((text) => this.emit('warning', text));

  private readonly intervalMs: number;

  constructor(devices: string[], intervalMs = DEFAULT_INTERVAL_MS) {
    super();
    this.wanted = [...devices];
    this.intervalMs = Number.isFinite(intervalMs) ? Math.max(intervalMs, MIN_INTERVAL_MS) : DEFAULT_INTERVAL_MS;
  }

  async start(): Promise<void> {
    if (this.phase !== 'new') throw new Error('watcher already started');
    this.phase = 'started';
    this.readings = await readAll(this.wanted);
    this.tracker.setWatched(this.wanted, (n) => this.key(n));
    this.arm();
  }

  watch(devices: string[]): void {
    this.wanted = [...devices];
    if (this.phase !== 'started') return;
    // The baseline is what snapshot() answers now, "absent" for a device not
    // read yet: reading it at once then announces it if it is there.
    this.tracker.setWatched(this.wanted, (n) => this.key(n));
    if (this.wanted.some((d) => !this.readings.has(d))) void this.refresh();
  }

  snapshot(device: string): DeviceSnapshot {
    return this.readings.get(device)?.snapshot ?? { name: device, present: false, up: false, addresses: [] };
  }

  /** Reads now; a call during a reading gets one more reading after it. */
  refresh(): Promise<void> {
    if (this.phase !== 'started') return Promise.resolve();
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.readRounds()
      .catch((e: Error) => {
        this.gate.warn(`reading device addresses failed: ${e.message}`);
      })
      .finally(() => {
        this.inFlight = null;
        this.arm();
      });
    return this.inFlight;
  }

  close(): void {
    this.phase = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async readRounds(): Promise<void> {
    do {
      this.again = false;
      const readings = await readAll(this.wanted);
      if (this.phase !== 'started') return;
      this.readings = readings;
      for (const name of this.tracker.watched()) {
        if (this.tracker.update(name, this.key(name))) this.emit('change', this.snapshot(name));
      }
    } while (this.again);
  }

  /** The next periodic reading, counted from the last one (a refresh postpones it). */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.phase !== 'started') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.intervalMs);
  }

  private key(name: string): string {
    const r = this.readings.get(name);
    return r ? viewKey(r.snapshot, r.index) : viewKey(this.snapshot(name), '-');
  }
}

/** One reading of `devices` (`updyn once` without netlink). */
export async function readPoll(devices: string[]): Promise<Map<string, DeviceSnapshot>> {
  const readings = await readAll(devices);
  return new Map([...readings].map(([name, r]) => [name, r.snapshot] as const));
}

async function readAll(devices: string[]): Promise<Map<string, Reading>> {
  const [v6, sysRoot] = await Promise.all([readIfInet6(), readText('/sys/class/net/lo/ifindex')]);
  const nets = networkInterfaces();
  const out = new Map<string, Reading>();
  for (const name of devices) out.set(name, await readDevice(name, nets[name] ?? [], v6, sysRoot !== null));
  return out;
}

async function readDevice(
  name: string,
  nets: NetworkInterfaceInfo[],
  v6: Map<string, InterfaceAddress[]> | null,
  sysReadable: boolean,
): Promise<Reading> {
  const absent = { snapshot: { name, present: false, up: false, addresses: [] }, index: '-' };
  if (!isDeviceName(name)) return absent;
  const sys = (f: string) => readText(`/sys/class/net/${name}/${f}`);
  const [index, flags, operstate] = await Promise.all([sys('ifindex'), sys('flags'), sys('operstate')]);
  // Without /sys a device that is down looks absent: getifaddrs skips it.
  const present = index !== null || (!sysReadable && (nets.length > 0 || (v6?.has(name) ?? false)));
  if (!present) return absent;
  const up =
    flags !== null && operstate !== null
      ? (parseInt(flags, 16) & 1) === 1 && (operstate === 'up' || operstate === 'unknown')
      : nets.length > 0;
  const addresses = [...ipv4From(nets), ...(v6 ? (v6.get(name) ?? []) : ipv6From(nets))];
  return { snapshot: { name, present, up, addresses }, index: index ?? '?' };
}

/** IPv4 in getifaddrs order; as in the kernel, an address in the subnet of an earlier one is secondary. */
function ipv4From(nets: NetworkInterfaceInfo[]): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const n of nets) {
    if (n.family !== 'IPv4') continue;
    const address = canonicalAddress('ipv4', n.address);
    const bytes = address === null ? null : parseIPv4(address);
    if (address === null || !bytes) continue;
    const prefixlen = prefixOf(n);
    const secondary = out.some((o) => o.prefixlen === prefixlen && inPrefix(bytes, parseIPv4(o.address) as Uint8Array, prefixlen));
    out.push(plain('ipv4', address, prefixlen, address.startsWith('127.') ? 'host' : 'global', { secondary }));
  }
  return out;
}

/** IPv6 without /proc: addresses only, every flag unknown (so unset). */
function ipv6From(nets: NetworkInterfaceInfo[]): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const n of nets) {
    if (n.family !== 'IPv6') continue;
    const address = canonicalAddress('ipv6', n.address.split('%')[0] ?? '');
    if (address === null) continue;
    const scope: AddressScope = address === '::1' ? 'host' : /^fe[89ab]/.test(address) ? 'link' : /^fe[c-f]/.test(address) ? 'site' : 'global';
    out.push(plain('ipv6', address, prefixOf(n), scope, {}));
  }
  return out;
}

/**
 * /proc/net/if_inet6, one address a line: hex address, ifindex, prefix
 * length, scope and IFA_F_* flags (all hex), device name. Null when unreadable.
 */
async function readIfInet6(): Promise<Map<string, InterfaceAddress[]> | null> {
  const text = await readText('/proc/net/if_inet6');
  if (text === null) return null;
  const out = new Map<string, InterfaceAddress[]>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^[0-9a-f]{32}$/i.test(f[0] as string)) continue;
    const hex = f[0] as string;
    const flags = parseInt(f[4] as string, 16);
    const scopeBits = parseInt(f[3] as string, 16) & 0xf0;
    const scope: AddressScope = scopeBits === 0x10 ? 'host' : scopeBits === 0x20 ? 'link' : scopeBits === 0x40 ? 'site' : 'global';
    const deprecated = (flags & 0x20) !== 0;
    const a = plain('ipv6', formatIPv6(Buffer.from(hex, 'hex')), parseInt(f[2] as string, 16), scope, {
      temporary: (flags & 0x01) !== 0,
      dadfailed: (flags & 0x08) !== 0,
      deprecated,
      tentative: (flags & 0x40) !== 0,
      permanent: (flags & 0x80) !== 0,
      // no lifetimes here: deprecated is the only one known to be zero
      preferredLifetime: deprecated ? 0 : Infinity,
    });
    const name = f[5] as string;
    out.set(name, [...(out.get(name) ?? []), a]);
  }
  return out;
}

function plain(
  family: InterfaceAddress['family'],
  address: string,
  prefixlen: number,
  scope: AddressScope,
  over: Partial<InterfaceAddress>,
): InterfaceAddress {
  return {
    family,
    address,
    prefixlen,
    scope,
    temporary: false,
    deprecated: false,
    tentative: false,
    dadfailed: false,
    permanent: false,
    secondary: false,
    preferredLifetime: Infinity,
    validLifetime: Infinity,
    ...over,
  };
}

function prefixOf(n: NetworkInterfaceInfo): number {
  const len = Number(n.cidr?.split('/')[1]);
  return Number.isInteger(len) ? len : n.family === 'IPv4' ? 32 : 128;
}

/** A Linux interface name that is safe to put in a /sys path. */
async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}
