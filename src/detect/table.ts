// What the kernel holds, per ifindex, as told by netlink dumps and events.
// Pure (no socket): netlink.ts feeds it decoded messages and asks it for
// snapshots by device NAME, since the device a user configures (pppoe-wan)
// is re-created with a new ifindex on every reconnect.
import type { AddressFlags, AddressScope, DeviceSnapshot, Family, InterfaceAddress } from '../types';

export interface LinkInfo {
  index: number;
  name: string;
  /** administratively up and running (IFF_UP && IFF_RUNNING), like `ip link`'s state UP */
  up: boolean;
}

/** One address as stored: lifetimes as deadlines on the monotonic clock (ms), so they keep counting down. */
export interface AddressInfo extends AddressFlags {
  index: number;
  family: Family;
  address: string;
  /** identity within the device (the kernel's own key) */
  key: string;
  prefixlen: number;
  /** the kernel's numeric scope; ordering of IPv4 primaries depends on it */
  rawScope: number;
  preferredUntil: number;
  validUntil: number;
}

/** A device's addresses per family, each list in the kernel's own order. */
interface DeviceAddresses {
  ipv4: AddressInfo[];
  ipv6: AddressInfo[];
}

export class LinkTable {
  private readonly links = new Map<number, LinkInfo>();
  private readonly byName = new Map<string, number>();
  private readonly addrs = new Map<number, DeviceAddresses>();

  /** Names whose snapshot this may have changed (a rename changes two). */
  setLink(link: LinkInfo): string[] {
    const old = this.links.get(link.index);
    const touched = [link.name];
    if (old && old.name !== link.name) {
      touched.push(old.name);
      if (this.byName.get(old.name) === link.index) this.byName.delete(old.name);
    }
    this.links.set(link.index, link);
    this.byName.set(link.name, link.index);
    return touched;
  }

  deleteLink(index: number): string[] {
    const old = this.links.get(index);
    this.links.delete(index);
    this.addrs.delete(index);
    if (!old) return [];
    if (this.byName.get(old.name) === index) this.byName.delete(old.name);
    return [old.name];
  }

  /**
   * Adds or updates an address where the kernel would put it (see
   * kernelPosition); `append` keeps arrival order instead, for dumps, which
   * come in the kernel's order already.
   */
  setAddress(a: AddressInfo, append = false): string[] {
    let dev = this.addrs.get(a.index);
    if (!dev) this.addrs.set(a.index, (dev = { ipv4: [], ipv6: [] }));
    const list = dev[a.family];
    const at = list.findIndex((x) => x.key === a.key);
    const old = at >= 0 ? list[at] : undefined;
    if (old && old.secondary === a.secondary) {
      list[at] = a; // the kernel updates in place
    } else {
      // new, or an IPv4 secondary promoted to primary: the kernel moves it
      if (at >= 0) list.splice(at, 1);
      list.splice(append ? list.length : kernelPosition(list, a), 0, a);
    }
    return this.nameOf(a.index);
  }

  deleteAddress(index: number, family: Family, key: string): string[] {
    const list = this.addrs.get(index)?.[family];
    const at = list ? list.findIndex((x) => x.key === key) : -1;
    if (!list || at < 0) return [];
    list.splice(at, 1);
    return this.nameOf(index);
  }

  link(index: number): LinkInfo | undefined {
    return this.links.get(index);
  }

  linkByName(name: string): LinkInfo | undefined {
    const index = this.byName.get(name);
    return index === undefined ? undefined : this.links.get(index);
  }

  snapshot(name: string, nowMs: number): DeviceSnapshot {
    const link = this.linkByName(name);
    if (!link) return { name, present: false, up: false, addresses: [] };
    const dev = this.addrs.get(link.index);
    const addresses = dev ? [...dev.ipv4, ...dev.ipv6].map((a) => toInterfaceAddress(a, nowMs)) : [];
    return { name, present: true, up: link.up, addresses };
  }

  /** What makes two moments of one device different for a caller: see viewKey. */
  viewKey(name: string, nowMs: number): string {
    return viewKey(this.snapshot(name, nowMs), String(this.byName.get(name) ?? '-'));
  }

  private nameOf(index: number): string[] {
    const link = this.links.get(index);
    return link ? [link.name] : [];
  }
}

/**
 * A fingerprint of everything in a snapshot that can change which address is
 * published, and nothing else: lifetimes only as "zero / finite / forever"
 * (they tick down every second and are refreshed by every RA), link-local
 * and host-scope IPv6 not at all (never published). `extra` carries what a
 * snapshot cannot show, like the ifindex (a re-created pppoe device is a
 * reconnect, hence worth a checkip even when its address is the same).
 * IPv4 order counts (the first primary is published), IPv6 order does not
 * (selection does not depend on it, and the sources list IPv6 differently).
 */
export function viewKey(snap: DeviceSnapshot, extra = ''): string {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const a of snap.addresses) {
    if (a.family === 'ipv6' && (a.scope === 'link' || a.scope === 'host')) continue;
    const flags =
      (a.temporary ? 't' : '') +
      (a.deprecated ? 'd' : '') +
      (a.tentative ? 'n' : '') +
      (a.dadfailed ? 'f' : '') +
      (a.permanent ? 'p' : '') +
      (a.secondary ? 's' : '');
    (a.family === 'ipv4' ? v4 : v6).push(`${a.address}/${a.prefixlen}:${a.scope}:${flags}:${lifetimeClass(a.preferredLifetime)}`);
  }
  return [snap.present ? 'P' : 'A', snap.up ? 'U' : 'D', extra, ...v4, ...v6.sort()].join('|');
}

function lifetimeClass(seconds: number): string {
  return seconds === Infinity ? 'forever' : seconds <= 0 ? 'zero' : 'finite';
}

/**
 * Where the kernel puts a new address in the device's list, so that the
 * table shows what `ip addr` (and the next dump) would:
 * - IPv4 (net/ipv4/devinet.c, __inet_insert_ifa): a primary goes after the
 *   last primary whose scope number is not below its own (so a host-scope
 *   address added later goes first), a secondary at the end. The first
 *   primary is what selection publishes.
 * - IPv6 (net/ipv6/addrconf.c, ipv6_link_dev_addr): before the first address
 *   of the same or a narrower scope: newest first, global before link-local.
 */
function kernelPosition(list: AddressInfo[], a: AddressInfo): number {
  if (a.family === 'ipv6') {
    const i = list.findIndex((x) => a.rawScope <= x.rawScope);
    return i < 0 ? list.length : i;
  }
  if (a.secondary) return list.length;
  let pos = 0;
  list.forEach((x, i) => {
    if (!x.secondary && a.rawScope <= x.rawScope) pos = i + 1;
  });
  return pos;
}

export function scopeName(scope: number): AddressScope {
  if (scope === 254) return 'host';
  if (scope === 253) return 'link';
  if (scope === 255) return 'nowhere';
  if (scope >= 200) return 'site';
  return 'global';
}

function toInterfaceAddress(a: AddressInfo, nowMs: number): InterfaceAddress {
  const preferredLifetime = remaining(a.preferredUntil, nowMs);
  return {
    family: a.family,
    address: a.address,
    prefixlen: a.prefixlen,
    scope: scopeName(a.rawScope),
    temporary: a.temporary,
    deprecated: a.deprecated || preferredLifetime === 0,
    tentative: a.tentative,
    dadfailed: a.dadfailed,
    permanent: a.permanent,
    secondary: a.secondary,
    preferredLifetime,
    validLifetime: remaining(a.validUntil, nowMs),
  };
}

function remaining(untilMs: number, nowMs: number): number {
  if (untilMs === Infinity) return Infinity;
  return Math.max(0, Math.ceil((untilMs - nowMs) / 1000));
}
