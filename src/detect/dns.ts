// verify_dns's lookup: what DNS holds for a record's name (the engine's loop
// decides what follows, see engine/loop.ts).
//
// verifyDns() never throws and always settles within timeoutMs: c-ares gets a
// per-try timeout sized to fit, and an overall deadline cancels it regardless.
import type { promises as DnsPromises } from 'node:dns';
import type { DnsCheck, Family } from '../types';
import { formatSeconds } from '../lib/text';
import { canonicalAddress, parseHostPort } from '../lib/ip';

export interface VerifyOptions {
  host: string;
  family: Family;
  address: string;
  /** '' (the system's resolvers), `IP`, `IPv4:port` or `[IPv6]:port` */
  server: string;
  timeoutMs: number;
}

/** c-ares tries a server this many times, each try twice as long as the one before. */
const TRIES = 2;

/**
 * Whether DNS holds exactly `address` for the record. `differs` when it holds
 * something else, or nothing (NXDOMAIN, no record of that type): that was an
 * answer, and the update will fix it. Extra addresses beside ours also differ,
 * since an update replaces them. `failed` when no answer could be had.
 */
export async function verifyDns(opts: VerifyOptions): Promise<DnsCheck> {
  const want = canonicalAddress(opts.family, opts.address);
  if (want === null) return { kind: 'failed', message: `not an ${opts.family === 'ipv4' ? 'IPv4' : 'IPv6'} address` };
  const timeoutMs = Math.max(1, Number.isFinite(opts.timeoutMs) ? opts.timeoutMs : 1);
  const dns = dnsModule();
  const resolver = new dns.Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / (2 ** TRIES - 1))), tries: TRIES });
  if (opts.server !== '') {
    const server = parseHostPort(opts.server, 53);
    if (!server.ok) return { kind: 'failed', message: `dns_server ${server.error}` };
    const { address, port } = server.value;
    try {
      resolver.setServers([address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`]);
    } catch {
      return { kind: 'failed', message: 'dns_server is not usable' };
    }
  }

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<DnsCheck>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'failed', message: `no answer within ${formatSeconds(timeoutMs)}` }), timeoutMs);
  });
  const lookup = (opts.family === 'ipv4' ? resolver.resolve4(opts.host) : resolver.resolve6(opts.host)).then(
    (found) => compare(opts.family, want, found),
    (e: unknown) => answerOf(e, timeoutMs),
  );
  try {
    return await Promise.race([lookup, deadline]);
  } finally {
    clearTimeout(timer);
    // whatever is still pending ends now (its rejection is handled above)
    resolver.cancel();
  }
}

function compare(family: Family, want: string, found: string[]): DnsCheck {
  const addresses = [...new Set(found.map((a) => canonicalAddress(family, a) ?? a))];
  return addresses.length === 1 && addresses[0] === want ? { kind: 'match' } : { kind: 'differs', found: addresses };
}

/** Loaded on first use: only services with verify_dns need a resolver, and node:dns costs memory. */
function dnsModule(): typeof DnsPromises {
  return (require('node:dns') as { promises: typeof DnsPromises }).promises;
}

/** c-ares error codes, as Node names them, in words for the log. */
function answerOf(e: unknown, timeoutMs: number): DnsCheck {
  const dns = dnsModule();
  const code = (e as NodeJS.ErrnoException | null)?.code ?? '';
  // DNS answered: the name, or that type of record for it, does not exist
  if (code === dns.NOTFOUND || code === dns.NODATA) return { kind: 'differs', found: [] };
  const why: Record<string, string> = {
    [dns.SERVFAIL]: 'the DNS server failed (SERVFAIL)',
    [dns.REFUSED]: 'the DNS server refused the query',
    [dns.TIMEOUT]: `no answer within ${formatSeconds(timeoutMs)}`,
    [dns.CANCELLED]: `no answer within ${formatSeconds(timeoutMs)}`,
    [dns.CONNREFUSED]: 'the DNS server cannot be reached (connection refused)',
    [dns.BADRESP]: 'the DNS server sent a malformed answer',
    [dns.FORMERR]: 'the DNS server could not read the query',
    [dns.NOTIMP]: 'the DNS server does not implement the query',
  };
  return { kind: 'failed', message: why[code] ?? `DNS lookup failed (${code || 'unknown error'})` };
}
