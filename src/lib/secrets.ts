// The last line of defence for tokens: every byte updyn writes to a log, a file
// or stderr passes through redact(). Modules still avoid putting secrets into
// messages in the first place; this catches what slips (an error from a library
// quoting a URL, an Authorization header in a debug dump).

/** What a secret reads as wherever it would have appeared. */
export const REDACTED = '(redacted)';
const secrets = new Set<string>();
let pattern: RegExp | null = null;

/** Shorter values would mangle ordinary text; a real token is never this short. */
const MIN_SECRET_LENGTH = 3;

/**
 * Every spelling a secret may come back in: raw, lowercased, UPPERCASED (a
 * provider normalising what it echoes), URL-encoded both ways, base64 of the
 * token alone (padded or not) and inside the Basic header. The one list: the
 * redactor below and providers/answer.ts both use it, and both match without
 * regard to case.
 */
export function secretSpellings(value: string, user?: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const b64 = Buffer.from(value).toString('base64');
  const forms = new Set([
    value,
    value.toLowerCase(),
    value.toUpperCase(),
    encodeURIComponent(value),
    new URLSearchParams({ x: value }).toString().slice(2),
    b64,
    b64.replace(/=+$/, ''),
    // as Cloudflare's API takes a token, should a server echo the header
    `Bearer ${value}`,
  ]);
  if (user !== undefined) forms.add(Buffer.from(`${user}:${value}`).toString('base64'));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/** One case-insensitive pattern for `forms`, longest first, so that an encoded form is not half-replaced by a shorter one. */
export function spellingsPattern(forms: Iterable<string>): RegExp {
  return new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'gi');
}

/** Remember a secret, with every spelling it may travel in (secretSpellings). */
export function registerSecret(value: string, user?: string): void {
  for (const f of secretSpellings(value, user)) secrets.add(f);
  pattern = null;
}

export function redact(text: string): string {
  if (secrets.size === 0) return text;
  if (pattern === null) pattern = spellingsPattern(secrets);
  return text.replace(pattern, REDACTED);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
