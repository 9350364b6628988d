// Checks for single option values. Each returns the parsed value or a reason
// phrased to follow "must be ..." / "is ..." in a message; none echoes a value
// (the caller decides what may be echoed, and quotes it with lib/text quoteValue).
import { type Result, ok, err } from '../types';
import { type HostPort, parseHostPort } from '../lib/ip';

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

/** `dns_server`: `IP`, `IPv4:port` or `[IPv6]:port`. */
export const parseDnsServer = (s: string): Result<HostPort> => parseHostPort(s, 53);

/** A netifd logical interface name, which the init script hands to shell helpers. */
export function checkInterfaceName(s: string): Result<string> {
  if (s.length > 64 || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s)) {
    return err('is not an OpenWrt interface name (letters, digits, _ . -)');
  }
  return ok(s);
}

export function checkAbsolutePath(s: string): Result<string> {
  if (!s.startsWith('/')) return err('must be an absolute path (starting with /)');
  if (/[\x00-\x1f\x7f]/.test(s)) return err('must not contain control characters');
  return ok(s);
}
