// What every provider is: a table entry that builds one request and reads its
// answer into one Outcome (ok / rejected / trouble, with its reach). Sending,
// timeouts and transport errors are shared, in sendUpdate().
import type { Outcome, UpdateRequest } from '../types';
import type { HttpError, HttpResponse } from '../http';
import { httpGet } from '../http';
import { USER_AGENT } from '../version';

export interface BuiltRequest {
  url: string;
  headers: Record<string, string>;
}

export interface ProviderSpec {
  build(req: UpdateRequest): BuiltRequest;
  /** Reads a complete HTTP answer. Never throws (custom's success_pattern is matched asynchronously). */
  classify(res: HttpResponse, req: UpdateRequest): Outcome | Promise<Outcome>;
}

export interface SendOptions {
  ca?: string | Buffer;
  signal?: AbortSignal;
}

export type SendResult = Outcome & { elapsedMs: number };

/** Bodies of update answers are short; more is noise (or an attack). */
const MAX_ANSWER_BYTES = 16 * 1024;

export async function sendUpdate(spec: ProviderSpec, req: UpdateRequest, opts: SendOptions = {}): Promise<SendResult> {
  const built = spec.build(req);
  const res = await httpGet({
    url: built.url,
    headers: { 'User-Agent': USER_AGENT, ...built.headers },
    timeoutMs: req.service.timeout * 1000,
    maxBytes: MAX_ANSWER_BYTES,
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!res.ok) return { ...transportOutcome(res.error), elapsedMs: res.error.elapsedMs };
  const redirect = redirectOutcome(res.value);
  const outcome = redirect ?? (await spec.classify(res.value, req));
  return { ...outcome, elapsedMs: res.value.elapsedMs };
}

/** Transport failures are trouble, except TLS verification, which is configuration (unless the clock is not set yet). */
export function transportOutcome(e: HttpError): Outcome {
  if (e.kind === 'tls' && e.code !== 'CERT_NOT_YET_VALID' && e.code !== 'CERT_HAS_EXPIRED') {
    return { kind: 'rejected', reach: 'service', message: e.message };
  }
  if (e.kind === 'bad-url') return { kind: 'rejected', reach: 'service', message: e.message };
  return { kind: 'trouble', message: e.message };
}

/** Redirects are not followed: the token would travel on to wherever they point. */
function redirectOutcome(res: HttpResponse): Outcome | null {
  if (res.status < 300 || res.status > 399) return null;
  return {
    kind: 'rejected',
    reach: 'service',
    message: `HTTP ${res.status}: the provider redirects; not followed, check update_url`,
  };
}

/** The provider's own words, made safe to log: first line, printable, short. */
export function answerText(body: string, max = 80): string {
  const line = (body.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
  const clean = line.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Appends query parameters to a URL that may already carry some. */
export function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * GET update_url with `params`, the credentials as Basic auth (auth 'basic') or
 * as query parameters under the protocol's own names (auth 'query').
 */
export function withCredentials(req: UpdateRequest, params: Record<string, string>, names: { user: string; password: string }): BuiltRequest {
  const { service } = req;
  const headers: Record<string, string> = {};
  const query = { ...params };
  if (service.auth === 'query') Object.assign(query, { [names.user]: service.username, [names.password]: service.password });
  if (service.auth === 'basic') headers.Authorization = basicAuth(service.username, service.password);
  return { url: withParams(service.update_url, query), headers };
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
