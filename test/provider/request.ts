// One request as the endpoints see it, the answer they give, and the credential parsing they share.
import type { IncomingHttpHeaders } from 'node:http';
import type { ParsedIp } from './address';
import type { Auth, RecordedEndpoint, RecordType } from './types';

export interface RequestInfo {
  method: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** the connection's source, which stands in for a missing address parameter */
  remote: ParsedIp;
  /** the request path, and its body ('' for a GET) */
  path: string;
  body: string;
}

/** What an endpoint answers; the server writes it and logs it. */
export interface Answer {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** the address the answer set (or checkip echoed) */
  ip?: string;
  record?: RecordType;
}

/** What the client sent, in the terms of the endpoint it reached. Read apart from the answer, so
 * that a request answered by a misbehaving mode is logged with its credentials and host too. */
export function sent(endpoint: RecordedEndpoint, req: RequestInfo): { auth: Auth | null; host?: string; hosts?: string[] } {
  const basic = basicAuth(req.headers);
  const viaBasic = basic === 'malformed' ? null : basic;
  const q = (k: string) => req.query.get(k) ?? undefined;
  const withHost = (auth: Auth | null, host: string | undefined) => (host === undefined ? { auth } : { auth, host });
  switch (endpoint) {
    case 'update':
      return withHost(viaBasic ?? queryAuth(req.query, 'user', 'password'), q('host'));
    case 'custom':
      return withHost(viaBasic ?? queryAuth(req.query, 'u', 'p'), q('domain'));
    case 'dyndns2': {
      const hosts = q('hostname')?.split(',');
      return hosts === undefined ? { auth: viaBasic } : { auth: viaBasic, host: hosts[0] ?? '', hosts };
    }
    case 'cloudflare': {
      const bearer = /^Bearer (.*)$/.exec(req.headers.authorization ?? '');
      return withHost(bearer ? { user: '', password: bearer[1] ?? '', via: 'bearer' } : null, q('name'));
    }
    default:
      return { auth: viaBasic };
  }
}

/** HTTP Basic credentials: null without an Authorization header of that scheme,
 * 'malformed' when the header says Basic but its payload is not base64 of `user:password`. */
export function basicAuth(headers: IncomingHttpHeaders): Auth | null | 'malformed' {
  const m = /^basic[ \t]+(\S*)[ \t]*$/i.exec(headers.authorization ?? '');
  if (!m) return /^basic\b/i.test(headers.authorization ?? '') ? 'malformed' : null;
  const b64 = m[1] ?? '';
  // Buffer.from(.., 'base64') skips junk silently; a strict server refuses what a client should not send.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) return 'malformed';
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return 'malformed';
  return { user: text.slice(0, colon), password: text.slice(colon + 1), via: 'basic' };
}

/** Credentials from query parameters (either one present makes an attempt; a missing one is ''). */
export function queryAuth(query: URLSearchParams, userKey: string, passwordKey: string): Auth | null {
  const user = query.get(userKey);
  const password = query.get(passwordKey);
  if (user === null && password === null) return null;
  return { user: user ?? '', password: password ?? '', via: 'query' };
}

/** The first parameter named more than once, among those an endpoint reads: a client bug worth a 400. */
export function repeated(query: URLSearchParams, names: readonly string[]): string | undefined {
  return names.find((n) => query.getAll(n).length > 1);
}

export function plain(status: number, body: string, extra: Partial<Answer> = {}): Answer {
  return { status, body, contentType: 'text/plain; charset=utf-8', ...extra };
}
