// A provider's answer quoted in a message, with the service's token taken out
// first. Some providers echo the request (URL included) when they fail, and the
// custom protocol puts the token into that URL; src/secrets.ts would catch it in
// the log, but a message must be safe on its own (status.json, tests, callers).
import { REDACTED } from '../lib/secrets';
import { firstLine, printable } from '../lib/text';

export interface Credentials {
  username: string;
  password: string;
}

/** The answer's first line, printable and JSON-quoted, with every spelling of the token a request carries replaced. */
export function quotedAnswer(body: string, credentials: Credentials, max = 60): string {
  return JSON.stringify(printable(firstLine(withoutSecret(body, credentials)), max));
}

/**
 * The token raw, URL-encoded both ways, and inside the Basic header (a server
 * echoing the request's headers): replaced before the answer is cut short, as a
 * cut-off base64 still spells most of the token.
 */
export function withoutSecret(text: string, { username, password: secret }: Credentials): string {
  // a very short secret would mangle ordinary words; secrets.ts draws the same line
  if (secret.length < 3) return text;
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ x: secret }).toString().slice(2),
    Buffer.from(`${username}:${secret}`).toString('base64'),
  ]);
  let out = text;
  // longest first, so that an encoded form is not half-replaced by a shorter one
  for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join(REDACTED);
  return out;
}
