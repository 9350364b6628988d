// What every provider is: a table entry that builds one request and reads its
// answer into one Outcome (ok / rejected / trouble, with its reach). Sending,
// timeouts and transport errors are shared, in sendUpdate(). A protocol that is
// not one HTTP GET (Cloudflare's API, RFC 2136 over DNS) brings its own update()
// instead, and may read options of its own from its section.
import type { Outcome, ServiceConfig, UpdateRequest } from '../types';
import type { SectionReader } from '../config/reader';
import type { HttpError, HttpResponse } from '../http';
import { httpGet } from '../http';
import { USER_AGENT } from '../version';

export interface BuiltRequest {
  url: string;
  headers: Record<string, string>;
}

export interface ProviderSpec {
  build(req: UpdateRequest): BuiltRequest;
  /** Reads a complete HTTP answer. Never throws. */
  classify(res: HttpResponse, req: UpdateRequest): Outcome;
}

/** A protocol that talks its own way: one update() per record, which never throws. */
export interface UpdateSpec {
  update(req: UpdateRequest, opts: SendOptions): Promise<SendResult>;
  options?: ProtocolOptions;
}

/** The options only some protocols read (ServiceConfig keeps them all, for check-config). */
export type ProtocolOptionValues = Pick<ServiceConfig, 'zone' | 'ttl' | 'proxied' | 'tsig_algorithm'>;

/** What values the options take when a protocol does not read them. */
export const PROTOCOL_OPTION_DEFAULTS: Readonly<ProtocolOptionValues> = { zone: '', ttl: 300, proxied: false, tsig_algorithm: 'hmac-sha256' };

export interface ProtocolOptions {
  /** update_url when the section sets none ('' = the protocol has no URL). */
  defaultUpdateUrl: string;
  /** Reads the protocol's own options (and checks shared ones it gives a meaning to). */
  read(r: SectionReader, s: ServiceConfig): ProtocolOptionValues;
  /** What an enabled service of this protocol lacks, one phrase each ("a zone (option zone ...)"). */
  missing(s: ServiceConfig, has: (name: string) => boolean): string[];
  /** Help text per option, for check-config and the LuCI form. */
  help: Readonly<Record<string, string>>;
}

export type Provider = ProviderSpec | UpdateSpec;

export interface SendOptions {
  ca?: string | Buffer;
  signal?: AbortSignal;
}

export type SendResult = Outcome & { elapsedMs: number };

/** Bodies of update answers are short; more is noise (or an attack). */
const MAX_ANSWER_BYTES = 16 * 1024;

export async function sendUpdate(spec: Provider, req: UpdateRequest, opts: SendOptions = {}): Promise<SendResult> {
  if ('update' in spec) return spec.update(req, opts);
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
  const outcome = redirect ?? spec.classify(res.value, req);
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
