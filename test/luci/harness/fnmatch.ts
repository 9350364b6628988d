// fnmatch(3) as rpcd calls it for ACL entries: flags FNM_NOESCAPE only, so a
// backslash is literal and `*` also matches `/` (no FNM_PATHNAME). Patterns
// `*`, `?` and bracket expressions `[a-z]`, `[!x]`, `[^x]`.

export function fnmatch(pattern: string, text: string): boolean {
  return match(pattern, 0, text, 0);
}

function match(p: string, pi: number, t: string, ti: number): boolean {
  while (pi < p.length) {
    const c = p[pi] as string;
    if (c === '*') {
      while (p[pi] === '*') pi++;
      if (pi === p.length) return true;
      for (let k = ti; k <= t.length; k++) if (match(p, pi, t, k)) return true;
      return false;
    }
    if (ti >= t.length) return false;
    if (c === '?') {
      pi++;
      ti++;
      continue;
    }
    if (c === '[') {
      const r = bracket(p, pi, t[ti] as string);
      if (r !== null) {
        if (!r.ok) return false;
        pi = r.next;
        ti++;
        continue;
      }
      // an unclosed '[' is an ordinary character
    }
    if (c !== t[ti]) return false;
    pi++;
    ti++;
  }
  return ti === t.length;
}

/** null when the bracket is not closed (then '[' matches itself). */
function bracket(p: string, start: number, ch: string): { ok: boolean; next: number } | null {
  let i = start + 1;
  const negate = p[i] === '!' || p[i] === '^';
  if (negate) i++;
  let ok = false;
  let first = true;
  while (i < p.length && (p[i] !== ']' || first)) {
    first = false;
    const lo = p[i] as string;
    if (p[i + 1] === '-' && i + 2 < p.length && p[i + 2] !== ']') {
      if (ch >= lo && ch <= (p[i + 2] as string)) ok = true;
      i += 3;
    } else {
      if (ch === lo) ok = true;
      i++;
    }
  }
  if (i >= p.length) return null;
  return { ok: ok !== negate, next: i + 1 };
}

/** True when a pattern could match more than one string. */
export const isGlob = (pattern: string): boolean => /[*?[]/.test(pattern);
