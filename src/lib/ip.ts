// IP address text <-> bytes, written out so that every module agrees on one
// spelling of an address: what the kernel reports (netlink bytes, the hex of
// /proc/net/if_inet6), what os.networkInterfaces() prints and what a checkip
// server answers all go through here. IPv6 text follows RFC 5952 (lower case,
// no leading zeros, the longest run of two or more zero groups as `::`).
import { isIP } from 'node:net';
import type { Result } from './result';
import { err, ok } from './result';

export type Family = 'ipv4' | 'ipv6';

/** Four bytes from dotted-quad decimal; null for anything else (no octal, hex or short forms). */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    // A leading zero would mean octal to inet_aton: refuse rather than guess.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** Sixteen bytes from any RFC 4291 text form (embedded dotted quad included); no zone ids. */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null;
  let head = text;
  let v4: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > lastColon) {
    v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return null;
    // "a:b::1.2.3.4" -> "a:b::" (the "::" is still a compression marker);
    // "1:2:3:4:5:6:1.2.3.4" -> "1:2:3:4:5:6" (a lone ':' only separated the quad)
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const groupsWanted = v4 ? 6 : 8;
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parse(halves[0] as string);
  const right = halves.length === 2 ? parse(halves[1] as string) : [];
  if (!left || !right) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = groupsWanted - left.length - right.length;
    if (missing < 1) return null; // "::" stands for at least one zero group
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== groupsWanted) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (v4) out.set(v4, 12);
  return out;
}

export function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** RFC 5952 text of sixteen bytes; IPv4-mapped addresses keep their dotted quad (its section 5). */
export function formatIPv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) return `::ffff:${formatIPv4(b.subarray(12, 16))}`;
  // the longest run of zero groups, the first on a tie; a lone zero group stays "0"
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export function parseAddress(family: Family, text: string): Uint8Array | null {
  return family === 'ipv4' ? parseIPv4(text) : parseIPv6(text);
}

export function formatAddress(family: Family, bytes: Uint8Array): string {
  return family === 'ipv4' ? formatIPv4(bytes) : formatIPv6(bytes);
}

/** Whether `bytes` lies in prefix/len (prefix given as bytes of the same family). */
export function inPrefix(bytes: Uint8Array, prefix: Uint8Array, len: number): boolean {
  for (let bit = 0; bit < len; ) {
    const i = bit >> 3;
    const take = Math.min(8, len - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
    bit += take;
  }
  return true;
}

/** Validated, normalized text of an address (RFC 5952 for IPv6); null when `text` is not one. */
export function canonicalAddress(family: Family, text: string): string | null {
  const bytes = parseAddress(family, text.trim());
  return bytes ? formatAddress(family, bytes) : null;
}

export interface HostPort {
  address: string;
  port: number;
}

/** `IP`, `IPv4:port` or `[IPv6]:port` (a DNS server, say); `defaultPort` when none is written. */
export function parseHostPort(s: string, defaultPort: number): Result<HostPort> {
  const why = 'must be an IP address, IPv4:port or [IPv6]:port';
  if (isIP(s)) return ok({ address: s, port: defaultPort });
  const m = /^(?:\[([^\]]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(s);
  if (!m) return err(why);
  const address = m[1] ?? m[2] ?? '';
  const family = isIP(address);
  if (m[1] !== undefined ? family !== 6 : family !== 4) return err(why);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return err('has a port outside 1 to 65535');
  return ok({ address, port });
}
