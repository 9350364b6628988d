// A provider's answer quoted in a message, with the service's token taken out
// first. Some providers echo the request (URL included) when they fail, and the
// custom protocol puts the token into that URL; src/secrets.ts would catch it in
// the log, but a message must be safe on its own (status.json, tests, callers).
import { answerText } from './provider';

const HIDDEN = '(redacted)';

/** answerText() of `body`, JSON-quoted, with every spelling of `secret` a URL can carry replaced. */
export function quotedAnswer(body: string, secret: string, max = 60): string {
  return JSON.stringify(answerText(withoutSecret(body, secret), max));
}

export function withoutSecret(text: string, secret: string): string {
  // a very short secret would mangle ordinary words; secrets.ts draws the same line
  if (secret.length < 3) return text;
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2)]);
  let out = text;
  // longest first, so that an encoded form is not half-replaced by a shorter one
  for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join(HIDDEN);
  return out;
}
