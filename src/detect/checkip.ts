// The provider's checkip servers echo the address a request came from, as one
// XML node (<ipv4>1.2.3.4</ipv4>, <ipv6>2000:a:b::72</ipv6>: Zerigo) or as the
// bare address, surrounding whitespace allowed (no-ip.com, dnsomatic.com,
// desec.io; DESIGN.md "Providers people use today"). Behind NAT that is the
// only way to learn the public address, one family at a time.
import { isIP } from 'node:net';
import type { Family, Result, ServiceConfig } from '../types';
import { err, ok } from '../types';
import { httpGet } from '../lib/http';
import { quoteUntrusted } from '../lib/text';
import { canonicalAddress } from '../lib/ip';
import { isPublic } from './select';

/** Answers are tiny; anything longer is not a checkip answer. */
const MAX_ANSWER_BYTES = 512;

const ANSWER = /^\s*<(ipv4|ipv6)>\s*([^<\s]{1,64})\s*<\/\1>\s*$/;
/** One token of address characters and nothing else; which family it is, isIP() says. */
const BARE = /^\s*([0-9A-Fa-f.:]{2,45})\s*$/;

/** Reads a checkip answer for `family`. Errors are one line, the answer quoted and shortened. */
export function parseCheckip(body: string, family: Family): Result<string, string> {
  const bare = BARE.exec(body);
  if (bare) return parseBare(bare[1] as string, family);
  const m = ANSWER.exec(body);
  if (!m) return err(`not a checkip answer: ${quoteUntrusted(body)}`);
  const [, tag, text] = m as unknown as [string, Family, string];
  if (tag !== family) return err(`asked for ${family}, got <${tag}>`);
  const address = canonicalAddress(family, text);
  if (address === null) return err(`<${tag}> holds no valid ${family} address: ${quoteUntrusted(text)}`);
  return ok(address);
}

function parseBare(text: string, family: Family): Result<string, string> {
  const v = isIP(text);
  if (v === 0) return err(`not a checkip answer: ${quoteUntrusted(text)}`);
  const got: Family = v === 4 ? 'ipv4' : 'ipv6';
  if (got !== family) return err(`asked for ${family}, got an ${got} address`);
  const address = canonicalAddress(family, text);
  if (address === null) return err(`not a checkip answer: ${quoteUntrusted(text)}`);
  return ok(address);
}

/** The checkip URL for a family: its own URL, else the dual-stack one when its own is set empty. */
export function checkipUrl(service: ServiceConfig, family: Family): string | null {
  const own = family === 'ipv4' ? service.checkip4_url : service.checkip6_url;
  if (own) return own;
  return service.checkip_url || null;
}

export interface CheckipOptions {
  timeoutMs: number;
  ca?: string | Buffer;
  signal?: AbortSignal;
  userAgent: string;
}

/** Asks the checkip server over a connection of the given family; the answer must be public. */
export async function checkip(url: string, family: Family, opts: CheckipOptions): Promise<Result<string, string>> {
  const literal = literalFamily(url);
  if (literal && literal !== family) return err(`checkip URL is an ${literal} address, cannot ask it for ${family}`);
  const res = await httpGet({
    url,
    family,
    timeoutMs: opts.timeoutMs,
    maxBytes: MAX_ANSWER_BYTES,
    headers: { 'User-Agent': opts.userAgent },
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!res.ok) return err(`checkip failed: ${res.error.message}`);
  const { status, body, truncated } = res.value;
  if (status < 200 || status > 299) return err(`checkip answered HTTP ${status}`);
  if (truncated) return err('checkip answer too long');
  const parsed = parseCheckip(body, family);
  if (!parsed.ok) return parsed;
  if (!isPublic(family, parsed.value)) return err(`checkip answered ${parsed.value}, which is not a public address`);
  return parsed;
}

function literalFamily(url: string): Family | null {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const v = isIP(host);
    return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
  } catch {
    return null;
  }
}
