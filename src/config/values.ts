// Checks for single option values. Each returns the parsed value or a reason
// phrased to follow "must be ..." / "is ..." in a message; none echoes a value
// (the caller decides what may be echoed, and quotes it with quoteValue).
import { isIP } from 'node:net';
import { type Result, ok, err } from '../types';
import { compilePattern } from '../providers/pattern';

const TRUE_WORDS = ['1', 'yes', 'on', 'true', 'enabled'];
const FALSE_WORDS = ['0', 'no', 'off', 'false', 'disabled'];

/** The words OpenWrt's config_get_bool accepts (case-sensitive, as in its shell `case`). */
export function parseBool(s: string): Result<boolean> {
  if (TRUE_WORDS.includes(s)) return ok(true);
  if (FALSE_WORDS.includes(s)) return ok(false);
  return err('must be a boolean (1/0, yes/no, on/off, true/false, enabled/disabled)');
}

export function parseInteger(s: string, min: number, max: number): Result<number> {
  const range = `a whole number from ${min} to ${max}`;
  if (!/^[0-9]+$/.test(s)) return err(`must be ${range}`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < min || n > max) return err(`must be ${range}`);
  return ok(n);
}

/** RFC 1123 host name, fully qualified (two labels at least), no trailing dot. */
export function checkHostname(s: string): Result<string> {
  if (s.length > 253) return err('is longer than 253 characters');
  const labels = s.split('.');
  if (labels.length < 2) return err('must be a fully qualified name (like host.example.com)');
  for (const l of labels) {
    if (l === '') return err('has an empty label (two dots in a row, or a dot at an end)');
    if (l.length > 63) return err('has a label longer than 63 characters');
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l)) {
      return err('may hold only letters, digits and inner hyphens between its dots');
    }
  }
  // RFC 1123 2.1: a host name never looks like a dotted-decimal address
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string)) return err('ends in a numeric label (is it an address?)');
  return ok(s);
}

/** An absolute http(s) URL with a host. */
export function checkHttpUrl(s: string): Result<URL> {
  // WHATWG URL parsing quietly drops or encodes these; a user who typed them made a mistake
  if (/[\s\x00-\x1f\x7f]/.test(s)) return err('must not contain spaces or control characters');
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return err('is not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return err('must start with http:// or https://');
  if (u.hostname === '') return err('has no host');
  return ok(u);
}

/** The custom protocol's placeholders, each with a stand-in that is valid wherever it may appear. */
export const URL_PLACEHOLDERS: Readonly<Record<string, string>> = {
  '[USERNAME]': 'user',
  '[PASSWORD]': 'pass',
  '[DOMAIN]': 'host.example.com',
  '[IP]': '192.0.2.1',
};

export function fillPlaceholders(url: string): string {
  let out = url;
  for (const [k, v] of Object.entries(URL_PLACEHOLDERS)) out = out.split(k).join(v);
  return out;
}

export interface DnsServer {
  address: string;
  port: number;
}

/** `IP`, `IPv4:port` or `[IPv6]:port`. */
export function parseDnsServer(s: string): Result<DnsServer> {
  const why = 'must be an IP address, IPv4:port or [IPv6]:port';
  if (isIP(s)) return ok({ address: s, port: 53 });
  const m = /^(?:\[([^\]]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(s);
  if (!m) return err(why);
  const address = m[1] ?? m[2] ?? '';
  const family = isIP(address);
  if (m[1] !== undefined ? family !== 6 : family !== 4) return err(why);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return err('has a port outside 1 to 65535');
  return ok({ address, port });
}

/** What the kernel accepts as a device name (dev_valid_name). */
export function checkDeviceName(s: string): Result<string> {
  if (s.length > 15) return err('is longer than 15 characters (the kernel limit)');
  if (s === '.' || s === '..' || /[/:\s]/.test(s)) return err("is not a valid Linux device name (no '/', ':' or spaces)");
  return ok(s);
}

/** A netifd logical interface name, which the init script hands to shell helpers. */
export function checkInterfaceName(s: string): Result<string> {
  if (s.length > 64 || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s)) {
    return err('is not an OpenWrt interface name (letters, digits, _ . -)');
  }
  return ok(s);
}

/** success_pattern: compiled where it is matched too (providers/pattern.ts), so both agree. */
export function checkRegExp(s: string): Result<RegExp> {
  return compilePattern(s);
}

export function checkAbsolutePath(s: string): Result<string> {
  if (!s.startsWith('/')) return err('must be an absolute path (starting with /)');
  if (/[\x00-\x1f\x7f]/.test(s)) return err('must not contain control characters');
  return ok(s);
}

/**
 * An untrusted value, safe to print: quoted, control characters escaped, cut when
 * long. Never pass it a secret: quoting does not hide anything.
 */
export function quoteValue(s: string, max = 64): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  const body = cut.replace(/[\\'\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\\' || c === "'") return `\\${c}`;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `'${body}'`;
}
