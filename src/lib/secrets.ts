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

/** Remember a secret, with the encodings it may travel in (URL query, Basic auth). */
export function registerSecret(value: string, user?: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  const forms = [value, encodeURIComponent(value), new URLSearchParams({ x: value }).toString().slice(2)];
  if (user !== undefined) forms.push(Buffer.from(`${user}:${value}`).toString('base64'));
  for (const f of forms) secrets.add(f);
  pattern = null;
}

export function redact(text: string): string {
  if (secrets.size === 0) return text;
  if (pattern === null) {
    // longest first, so that an encoded form is not half-replaced by a shorter one
    const alternatives = [...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    pattern = new RegExp(alternatives.join('|'), 'g');
  }
  return text.replace(pattern, REDACTED);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
