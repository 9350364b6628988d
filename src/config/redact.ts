// Which parts of a configured URL are credentials. Many providers take the token
// in the URL itself (userinfo, `?token=`, a path segment), so an update_url is
// as secret as the password option; check-config shows the rest of the URL, so
// that a user can still see which provider and endpoint they set up.
import type { ServiceConfig } from '../types';

import { REDACTED } from '../lib/secrets';
import { hasPlaceholder } from '../providers';

/** Query parameter names that carry credentials. Over-matching only hides a little more. */
const SENSITIVE_PARAM = /pass|pwd|token|key|secret|auth|sig|cred|hash/i;
/** The URL with each credential replaced by `(redacted)`; an unparseable one entirely. */
export function redactUrl(url: string): string {
  return scan(url).redacted;
}

/** The credential strings inside a URL, raw and percent-decoded, for a redaction registry. */
export function urlSecrets(url: string): string[] {
  const out = new Set<string>();
  for (const s of scan(url).secrets) {
    out.add(s);
    out.add(safeDecode(s));
  }
  return [...out].filter((s) => s !== '');
}

/** Every secret a service's settings hold: the password and the credentials inside its URLs. */
export function serviceSecrets(s: ServiceConfig): string[] {
  const out = new Set<string>();
  if (s.password !== '') out.add(s.password);
  for (const u of [s.update_url, s.checkip_url, s.checkip4_url, s.checkip6_url]) for (const x of urlSecrets(u)) out.add(x);
  return [...out];
}

// ---------------------------------------------------------------------------

interface Scan {
  redacted: string;
  secrets: string[];
}

function scan(url: string): Scan {
  if (url === '') return { redacted: '', secrets: [] };
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/s.exec(url);
  if (!m) return { redacted: REDACTED, secrets: [url] };
  const secrets: string[] = [];
  const hide = (s: string): string => {
    secrets.push(s);
    return REDACTED;
  };
  const [, scheme = '', authority = '', path = '', query = '', fragment = ''] = m;

  let hostPart = authority;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const parts = userinfo.split(':').filter((p) => p !== '' && !hasPlaceholder(p));
    if (parts.length > 0) {
      secrets.push(userinfo, ...parts);
      hostPart = `${REDACTED}${authority.slice(at)}`;
    }
  }
  const redactedPath = path
    .split('/')
    .map((seg) => (tokenShaped(seg) ? hide(seg) : seg))
    .join('/');
  const redactedQuery =
    query === ''
      ? ''
      : `?${query
          .slice(1)
          .split('&')
          .map((item) => {
            const eq = item.indexOf('=');
            if (eq < 0) return tokenShaped(item) ? hide(item) : item;
            const name = item.slice(0, eq);
            const value = item.slice(eq + 1);
            if (value === '' || hasPlaceholder(value)) return item;
            return SENSITIVE_PARAM.test(safeDecode(name)) || tokenShaped(value) ? `${name}=${hide(value)}` : item;
          })
          .join('&')}`;
  return { redacted: scheme + hostPart + redactedPath + redactedQuery + fragment, secrets };
}

/** A long run of letters and digits, like a generated token (FreeDNS and others put one in the path). */
function tokenShaped(s: string): boolean {
  return s.length >= 16 && /^[A-Za-z0-9_~%+=-]+$/.test(s) && /[0-9]/.test(s) && /[A-Za-z]/.test(s);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
