// Addresses and names as a strict provider reads them. Stored addresses are canonical (RFC 5952
// for IPv6), so that "the same address written differently" compares equal, as it does in DNS.
import { isIP } from 'node:net';
import type { Family, RecordType } from './types';

export interface ParsedIp {
  ip: string;
  family: Family;
  record: RecordType;
}

/** A valid IPv4 or IPv6 address in canonical form, or null. Exactly what net.isIP accepts, minus zone ids
 * (net.isIP takes `fe80::1%eth0`; a zone means nothing outside the sender's machine). */
export function parseIp(text: string): ParsedIp | null {
  const v = isIP(text);
  if (v === 4) return { ip: text, family: 'ipv4', record: 'A' };
  if (v === 6 && !text.includes('%')) return { ip: formatIPv6(ipv6Bytes(text)), family: 'ipv6', record: 'AAAA' };
  return null;
}

/** A socket's peer address: a v4-mapped IPv6 (dual-stack socket) is the IPv4 it maps. */
export function normalizeRemote(address: string | undefined): ParsedIp {
  const raw = address ?? '0.0.0.0';
  const unmapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(raw)?.[1] ?? raw;
  return parseIp(unmapped) ?? { ip: unmapped, family: unmapped.includes(':') ? 'ipv6' : 'ipv4', record: 'A' };
}

/** The 16 bytes of an IPv6 address that net.isIP accepted (no zone id). */
export function ipv6Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let groups = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a, b, c, d] = dotted[1].split('.').map(Number) as [number, number, number, number];
    groups = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = groups.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  all.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

/** RFC 5952 text: lower case, the longest run (first on a tie) of two or more zero groups as ::,
 * and a v4-mapped address with its IPv4 dotted. */
export function formatIPv6(b: Uint8Array): string {
  const g = Array.from({ length: 8 }, (_, i) => ((b[i * 2] ?? 0) << 8) | (b[i * 2 + 1] ?? 0));
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${Array.from(b.slice(12)).join('.')}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Host names compare case-insensitively and with or without the root's trailing dot, as in DNS. */
export function normalizeHost(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** A fully qualified name: two labels or more, each 1-63 letters, digits or inner hyphens, 253 at most,
 * and a top-level label that is not all digits. */
export function isFqdn(name: string): boolean {
  const n = normalizeHost(name);
  if (n.length === 0 || n.length > 253) return false;
  const labels = n.split('.');
  if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1] ?? '')) return false; // 1.2.3.4 is no name
  return labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
}
