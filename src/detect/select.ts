// Which address of a device is publishable (DESIGN.md "Which address is
// publishable"). Pure: the watchers report what the kernel holds, these rules
// decide, and the caller asks checkip when the answer is not public.
import type { DeviceSnapshot, Family, InterfaceAddress } from '../types';
import { canonicalAddress, inPrefix, parseAddress, parseIPv4, parseIPv6 } from '../lib/ip';

export interface Selected {
  address: string;
  public: boolean;
}

/** The device's address of `family` to publish (or to compare with checkip), null when it has none. */
export function selectAddress(family: Family, snapshot: DeviceSnapshot, previous?: string | null): Selected | null {
  const mine = snapshot.addresses.filter((a) => a.family === family);
  const chosen = family === 'ipv4' ? primaryIPv4(mine) : bestIPv6(mine, previous ?? null);
  if (!chosen) return null;
  const address = canonicalAddress(family, chosen.address);
  if (address === null) return null;
  return { address, public: isPublic(family, address) };
}

/** Whether an address can be reached from the Internet (documentation ranges count, for tests). */
export function isPublic(family: Family, address: string): boolean {
  const bytes = parseAddress(family, address);
  if (!bytes) return false;
  const ranges = family === 'ipv4' ? NOT_PUBLIC_V4 : NOT_PUBLIC_V6;
  return !ranges.some(([prefix, len]) => inPrefix(bytes, prefix, len));
}

// ---------------------------------------------------------------------------

/** IPv4: the kernel's primary address is the first that is not secondary. */
function primaryIPv4(addresses: InterfaceAddress[]): InterfaceAddress | undefined {
  return addresses.find((a) => !a.secondary) ?? addresses[0];
}

/**
 * IPv6: global, settled and not for privacy; public, then static, then the
 * longest-lived, then the lowest address. The last rule makes the choice
 * independent of list order, which differs between netlink (newest first)
 * and /proc/net/if_inet6 (hash order).
 */
function bestIPv6(addresses: InterfaceAddress[], previous: string | null): InterfaceAddress | undefined {
  const eligible = addresses.filter(isEligibleIPv6);
  if (eligible.length === 0) return undefined;
  const pub = new Map(eligible.map((a) => [a, isPublic('ipv6', a.address)] as const));
  const anyPublic = [...pub.values()].some(Boolean);
  // Keep the address we already publish while it stays usable: two valid
  // addresses must not take turns in DNS as their lifetimes are refreshed.
  // Only a public address displaces a non-public one.
  const prev = previous ? canonicalAddress('ipv6', previous) : null;
  if (prev !== null) {
    const kept = eligible.find((a) => canonicalAddress('ipv6', a.address) === prev);
    if (kept && (pub.get(kept) || !anyPublic)) return kept;
  }
  const rank = (a: InterfaceAddress): number[] => [
    pub.get(a) ? 1 : 0,
    a.permanent ? 1 : 0,
    a.preferredLifetime,
    // lower address ranks higher
    ...Array.from(parseIPv6(a.address) ?? [], (b) => -b),
  ];
  let best = eligible[0] as InterfaceAddress;
  for (const a of eligible.slice(1)) if (compare(rank(a), rank(best)) > 0) best = a;
  return best;
}

function isEligibleIPv6(a: InterfaceAddress): boolean {
  return (
    a.scope === 'global' &&
    !a.temporary &&
    !a.deprecated &&
    a.preferredLifetime > 0 &&
    !a.tentative &&
    !a.dadfailed
  );
}

/** Lexicographic; Infinity (a forever lifetime) equals itself, unlike Infinity - Infinity. */
function compare(x: number[], y: number[]): number {
  for (let i = 0; i < x.length; i++) {
    const a = x[i] ?? 0;
    const b = y[i] ?? 0;
    if (a !== b) return a > b ? 1 : -1;
  }
  return 0;
}

type Range = readonly [Uint8Array, number];

const v4 = (text: string, len: number): Range => [parseIPv4(text) as Uint8Array, len];
const v6 = (text: string, len: number): Range => [parseIPv6(text) as Uint8Array, len];

const NOT_PUBLIC_V4: readonly Range[] = [
  v4('0.0.0.0', 8), // "this network"
  v4('10.0.0.0', 8),
  v4('100.64.0.0', 10), // CGNAT: the ISP's side of a NAT
  v4('127.0.0.0', 8),
  v4('169.254.0.0', 16), // link-local
  v4('172.16.0.0', 12),
  v4('192.168.0.0', 16),
  v4('224.0.0.0', 4), // multicast
  v4('240.0.0.0', 4), // reserved, and 255.255.255.255 broadcast
];

const NOT_PUBLIC_V6: readonly Range[] = [
  // ::/96 holds the unspecified and loopback addresses and the deprecated
  // IPv4-compatible ones (RFC 4291 2.5.5.1); none is routable.
  v6('::', 96),
  v6('::ffff:0:0', 96), // IPv4-mapped
  v6('100::', 64), // discard-only
  v6('fc00::', 7), // ULA
  v6('fe80::', 10), // link-local
  v6('fec0::', 10), // site-local, deprecated (RFC 3879) but still met on old gear
  v6('ff00::', 8), // multicast
];
