// Text for people: untrusted input made safe to echo, and durations in words.
// Every message that quotes something a server or a file said goes through
// here, so that a control byte, a bidi override or a megabyte of garbage
// never reaches a terminal, syslog or LuCI as it came.

/**
 * A value from a config file, safe to print: single-quoted as uci writes it,
 * control characters escaped, cut when long. Never pass it a secret: quoting
 * hides nothing.
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

/**
 * Text a server sent, as printable ASCII of at most `max` characters. JSON
 * escaping covers C0 controls only: C1 controls (8-bit CSI), bidi overrides and
 * invalid UTF-8 would pass raw, so anything but printable ASCII becomes '?'.
 */
export function printable(text: string, max: number): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** printable(), double-quoted: how a message shows what a server answered. */
export const quoteUntrusted = (text: string, max = 60): string => JSON.stringify(printable(text, max));

/** The first line of an answer that says anything, trimmed. */
export function firstLine(body: string): string {
  return (body.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
}

/** A span in words: `45 s`, `12 min`, `5 h`, `3 d`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** A deadline in seconds, to a tenth: `10 s`, `1.5 s`. */
export const formatSeconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** An instant relative to `now` (both epoch ms): `in 5 min`, `2 h ago`, `now`. */
export function formatRelative(at: number, now: number): string {
  const s = Math.round((at - now) / 1000);
  if (s === 0) return 'now';
  return s < 0 ? `${formatDuration(-s)} ago` : `in ${formatDuration(s)}`;
}
