// Decoded rtnetlink messages -> table entries. Pure.
import type { RtAddress, RtLink } from './rtparse';
import type { Family } from '../types';
import { formatAddress } from '../lib/ip';
import type { AddressInfo, LinkInfo } from './table';

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETLINK = 18;
export const RTM_GETADDR = 22;
/** nlmsg_flags: the table changed while the kernel was dumping it */
export const NLM_F_DUMP_INTR = 0x10;

const AF_UNSPEC = 0;
const AF_INET = 2;
const AF_INET6 = 10;
const FOREVER = 0xffffffff;

/**
 * The link a NEWLINK/DELLINK describes, or null for messages that are not
 * about a device as such: bridge port messages (family AF_BRIDGE) also come
 * on the LINK group, and their DELLINK means "left the bridge", not "gone".
 */
export function decodeLink(m: RtLink): LinkInfo | null {
  if ((m.data.family ?? AF_UNSPEC) !== AF_UNSPEC) return null;
  const index = m.data.index;
  const name = m.attrs.ifname;
  if (typeof index !== 'number' || index <= 0 || typeof name !== 'string' || name === '') return null;
  const flags = m.data.flags ?? {};
  return { index, name, up: Boolean(flags.up && flags.running) };
}

export function linkIndex(m: RtLink): number | null {
  if ((m.data.family ?? AF_UNSPEC) !== AF_UNSPEC) return null;
  return typeof m.data.index === 'number' && m.data.index > 0 ? m.data.index : null;
}

/** The address a NEWADDR/DELADDR describes (lifetimes counted from `nowMs`), null when not IPv4/IPv6. */
export function decodeAddress(m: RtAddress, nowMs: number): AddressInfo | null {
  const family: Family | null = m.data.family === AF_INET ? 'ipv4' : m.data.family === AF_INET6 ? 'ipv6' : null;
  const index = m.data.index;
  if (!family || typeof index !== 'number') return null;
  // On a point-to-point link IFA_ADDRESS is the peer and IFA_LOCAL is ours.
  const raw = m.attrs.local ?? m.attrs.address;
  const size = family === 'ipv4' ? 4 : 16;
  if (!raw || raw.length !== size) return null;
  const address = formatAddress(family, raw);
  const peer = m.attrs.address && m.attrs.local && !m.attrs.address.equals(m.attrs.local)
    ? formatAddress(family, m.attrs.address)
    : '';
  const prefixlen = m.data.prefixlen ?? (family === 'ipv4' ? 32 : 128);
  // IFA_FLAGS (32 bits) supersedes the 8-bit ifa_flags when present.
  const flags = m.attrs.flags ?? m.data.flags ?? {};
  const cache = m.attrs.cacheInfo;
  return {
    index,
    family,
    address,
    // The kernel's identity of an address: IPv6 by address alone; IPv4 by
    // local address, prefix length and peer (two prefix lengths may coexist).
    key: family === 'ipv6' ? address : `${address}/${prefixlen}>${peer}`,
    prefixlen,
    rawScope: m.data.scope ?? 0,
    temporary: Boolean(flags.secondary) && family === 'ipv6', // IFA_F_TEMPORARY shares IFA_F_SECONDARY's bit
    deprecated: Boolean(flags.deprecated),
    tentative: Boolean(flags.tentative),
    dadfailed: Boolean(flags.dadfailed),
    permanent: Boolean(flags.permanent),
    secondary: Boolean(flags.secondary) && family === 'ipv4',
    preferredUntil: deadline(cache?.ifaPrefered, nowMs),
    validUntil: deadline(cache?.ifaValid, nowMs),
  };
}

function deadline(seconds: number | undefined, nowMs: number): number {
  if (seconds === undefined || seconds >= FOREVER) return Infinity;
  return nowMs + seconds * 1000;
}
