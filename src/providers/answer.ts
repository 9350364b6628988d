// A provider's answer quoted in a message, with the service's token taken out
// first. Some providers echo the request (URL included) when they fail, and the
// custom protocol puts the token into that URL; src/secrets.ts would catch it in
// the log, but a message must be safe on its own (status.json, tests, callers).
import { REDACTED, secretSpellings, spellingsPattern } from '../lib/secrets';
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
 * Every spelling of the token (lib/secrets.ts secretSpellings: raw, any case,
 * URL-encoded, base64, inside the Basic header) replaced before the answer is
 * cut short, as a cut-off base64 still spells most of the token.
 */
export function withoutSecret(text: string, { username, password: secret }: Credentials): string {
  // a very short secret would mangle ordinary words; secretSpellings draws the line
  const forms = secretSpellings(secret, username);
  return forms.length === 0 ? text : text.replace(spellingsPattern(forms), REDACTED);
}
