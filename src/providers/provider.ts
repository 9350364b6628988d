// What every provider is: a table entry with its defaults, presets and own
// options, that either builds one HTTP GET and reads its answer (sending,
// timeouts and transport errors are shared, in sendUpdate()) or, for a protocol
// that is not one GET (Cloudflare's API, RFC 2136 over DNS), brings its own
// update(). Either way the answer is one Outcome (ok / rejected / trouble, with
// its reach).
import type { AuthMode, Outcome, Result, ServiceConfig, UpdateRequest } from '../types';
import type { HttpError, HttpResponse } from '../lib/http';
import { httpGet } from '../lib/http';
import { USER_AGENT } from '../version';

export interface BuiltRequest {
  url: string;
  headers: Record<string, string>;
}

/** A known provider a user names with `option service_name` instead of typing its URLs. */
export interface Preset {
  update_url: string;
  /** dual-stack checkip, when the provider runs one */
  checkip_url?: string;
  checkip4_url?: string;
  checkip6_url?: string;
  /** custom: the provider's words of success */
  success_pattern?: string;
}

/**
 * A protocol's own option: the schema reads it with this default and check
 * (two protocols may each declare one of the same name, like ttl, with their
 * own range), and check-config lists it for every service.
 */
export type OptionSpec = { name: keyof ServiceConfig; help: string } & (
  | { kind: 'string'; default: string; check?: (s: string) => Result<unknown>; secret?: boolean }
  /** min/max bound the value (and LuCI's field); `check`, when given, is the whole rule */
  | { kind: 'integer'; default: number; min: number; max: number; check?: (s: string) => Result<number> }
  | { kind: 'boolean'; default: boolean }
  | { kind: 'select'; default: string; values: readonly string[] }
);

/** A value that contradicts another option of the section (a zone that does not hold a host, say). */
export interface OptionProblem {
  option: keyof ServiceConfig;
  /** reads after the value: "does not hold host 'x'" */
  why: string;
  /** whether the value may be shown (never for a secret) */
  show: boolean;
}

interface ProviderBase {
  /** What `option protocol` says. */
  readonly protocol: string;
  /** How people name it (LuCI's protocol list). */
  readonly title: string;
  /** The shared options' defaults for this protocol ('' update_url: the user must give one; null: it has none). */
  readonly defaults: { readonly update_url: string | null; readonly auth: AuthMode };
  /** `option service_name` values. */
  readonly presets?: Readonly<Record<string, Preset>>;
  /** Options only this protocol reads (or shares with others): set in another protocol's section, they are ignored with a warning. */
  readonly options?: readonly OptionSpec[];
  /** Whether an enabled service must set this credential (default: yes). */
  needs?(service: ServiceConfig, credential: 'username' | 'password'): boolean;
  /** update_url as the URL checks should see it (a template's placeholders filled with stand-ins). */
  checkableUrl?(url: string): string;
  /** Shared options this protocol gives a meaning of its own (nsupdate's dns_server is its server). */
  readonly uses?: readonly (keyof ServiceConfig)[];
  /** What a shared option means for this protocol (LuCI's help text). */
  readonly help?: Readonly<Partial<Record<keyof ServiceConfig, string>>>;
  /** Problems between options of one section. */
  validate?(service: ServiceConfig): OptionProblem[];
  /** What an enabled service of this protocol still lacks, one phrase each; `has` says whether the section sets an option. */
  missing?(service: ServiceConfig, has: (name: string) => boolean): string[];
}

/** A protocol that is one HTTP GET per record. */
export interface HttpProvider extends ProviderBase {
  build(req: UpdateRequest): BuiltRequest;
  /** Reads a complete HTTP answer. Never throws (custom's success_pattern is matched asynchronously). */
  classify(res: HttpResponse, req: UpdateRequest): Outcome | Promise<Outcome>;
}

/** A protocol that talks its own way: one update() per record, which never throws. */
export interface OwnProvider extends ProviderBase {
  update(req: UpdateRequest, opts: SendOptions): Promise<SendResult>;
}

export type ProviderSpec = HttpProvider | OwnProvider;

export interface SendOptions {
  ca?: string | Buffer;
  signal?: AbortSignal;
}

export type SendResult = Outcome & { elapsedMs: number };

/** Bodies of update answers are short; more is noise (or an attack). */
const MAX_ANSWER_BYTES = 16 * 1024;

export async function sendUpdate(spec: ProviderSpec, req: UpdateRequest, opts: SendOptions = {}): Promise<SendResult> {
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
