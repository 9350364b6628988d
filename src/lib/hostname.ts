// Host names as DNS takes them: for `host` options and zones alike.
import type { Result } from './result';
import { err, ok } from './result';

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
