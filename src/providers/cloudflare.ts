// protocol 'cloudflare': Cloudflare's API v4 with an API token (Bearer). One
// record per update: find its zone, find the A/AAAA record by name, PATCH its
// content (POST a new one when it does not exist yet). Reads are cheap and only
// happen for a record whose address changed (the engine's dedup decides that),
// and a record that already holds the address is not written again: at most one
// write per changed record.
//
// From Cloudflare's API documentation:
// - GET /zones?name=Z (developers.cloudflare.com/api/resources/zones/methods/list):
//   `Authorization: Bearer <token>`, permission "Zone Read"; result is a list.
// - GET /zones/{id}/dns_records?type=A&name=HOST, POST /zones/{id}/dns_records,
//   PATCH /zones/{id}/dns_records/{rid} (Cloudflare's OpenAPI as published in
//   hexdocs.pm/cloudflare/Cloudflare.DnsRecord.html): every answer is the envelope
//   {success, errors: [{code, message}], messages, result}; ttl 1 means "automatic".
// - Error codes seen in the field (no official list): 9109 "Invalid access token"
//   (cert-manager/cert-manager#4465), 10000 "Authentication error", a token
//   without the permission (favonia/cloudflare-ddns#897), 6003 "Invalid request
//   headers" with 6111 "Invalid format for Authorization header".
import type { Outcome, Result, UpdateRequest } from '../types';
import { err, ok, recordType } from '../types';
import type { HttpResponse } from '../lib/http';
import { httpGet } from '../lib/http';
import { checkHostname } from '../lib/hostname';
import type { OwnProvider, SendOptions, SendResult } from './provider';
import { transportOutcome } from './provider';
import { quotedAnswer } from './answer';
import { zoneHoldsHosts } from './nsupdate';
import { canonicalAddress } from '../lib/ip';
import { USER_AGENT } from '../version';

export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';
/** Cloudflare's own word for "let Cloudflare choose" (300 s today). */
export const TTL_AUTOMATIC = 1;

/** Error codes that say the token is wrong or may not do this: every record of the service stops. */
const CREDENTIAL_CODES = new Set([9109, 10000, 6003, 6111, 6103]);
const MAX_ANSWER_BYTES = 64 * 1024;

export const cloudflare: OwnProvider = {
  protocol: 'cloudflare',
  title: 'Cloudflare (API v4, with an API token)',
  defaults: { update_url: CLOUDFLARE_API, auth: 'none' },
  // the API token is the whole credential
  needs: (_s, credential) => credential === 'password',
  options: [
    {
      name: 'zone',
      kind: 'string',
      default: '',
      check: (z) => checkHostname(z.replace(/\.$/, '')),
      help: "The zone holding the hosts, like 'example.com'. Empty: the longest suffix of each host that is a zone of this token.",
    },
    {
      name: 'ttl',
      kind: 'integer',
      default: TTL_AUTOMATIC,
      min: 1,
      max: 86400,
      check: cloudflareTtl,
      help: 'TTL in seconds of a record updyn creates: 1 (automatic) or 30 to 86400. An existing record keeps its own.',
    },
    {
      name: 'proxied',
      kind: 'boolean',
      default: false,
      help: "Whether a record updyn creates goes through Cloudflare's proxy (0 by default). An existing record keeps its own.",
    },
  ],
  help: {
    update_url: `The API base (default ${CLOUDFLARE_API}).`,
    password: 'An API token with the permissions Zone Read and DNS Edit for the zone (not the Global API Key).',
  },
  validate: zoneHoldsHosts,
  update: updateRecord,
};

function cloudflareTtl(text: string): Result<number> {
  const n = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
  return n === TTL_AUTOMATIC || (n >= 30 && n <= 86400) ? ok(n) : err('must be 1 (automatic) or a whole number from 30 to 86400');
}

// ---------------------------------------------------------------------------
// one update

interface Api {
  base: string;
  token: string;
  timeoutMs: number;
  opts: SendOptions;
  started: number;
}

type Step<T> = { ok: true; value: T } | { ok: false; outcome: Outcome };

interface CfRecord {
  id: string;
  content: string;
}

async function updateRecord(req: UpdateRequest, opts: SendOptions): Promise<SendResult> {
  const api: Api = {
    base: req.service.update_url.replace(/\/+$/, ''),
    token: req.service.password,
    timeoutMs: req.service.timeout * 1000,
    opts,
    started: performance.now(),
  };
  const outcome = await run(api, req);
  return { ...outcome, elapsedMs: Math.round(performance.now() - api.started) };
}

async function run(api: Api, req: UpdateRequest): Promise<Outcome> {
  const zone = await findZone(api, req);
  if (!zone.ok) return zone.outcome;
  const type = recordType(req.family);
  const q = new URLSearchParams({ type, name: req.host.toLowerCase() });
  const listed = await call<CfRecord[]>(api, req, 'GET', `/zones/${encodeURIComponent(zone.value.id)}/dns_records?${q}`);
  if (!listed.ok) return listed.outcome;
  const records = Array.isArray(listed.value) ? listed.value : [];
  const sent = canonicalAddress(req.family, req.address) ?? req.address;
  if (records.length > 1) {
    return { kind: 'rejected', reach: 'record', message: `Cloudflare holds ${records.length} ${type} records named ${req.host}; updyn sets a single one (delete the others)` };
  }
  const [existing] = records;
  if (existing !== undefined && (canonicalAddress(req.family, String(existing.content)) ?? existing.content) === sent) {
    return { kind: 'ok', message: `Cloudflare ${type} already ${sent}` };
  }
  const path = `/zones/${encodeURIComponent(zone.value.id)}/dns_records`;
  if (existing !== undefined && typeof existing.id === 'string') {
    // only the content: the record keeps the TTL and proxy setting its owner gave it
    const patched = await call<CfRecord>(api, req, 'PATCH', `${path}/${encodeURIComponent(existing.id)}`, { content: sent });
    return patched.ok ? { kind: 'ok', message: `Cloudflare ${type} updated in zone ${zone.value.name}` } : patched.outcome;
  }
  const { ttl, proxied } = req.service;
  const created = await call<CfRecord>(api, req, 'POST', path, { type, name: req.host.toLowerCase(), content: sent, ttl, proxied });
  return created.ok ? { kind: 'ok', message: `Cloudflare ${type} created in zone ${zone.value.name}` } : created.outcome;
}

/** The option's zone, or the longest suffix of the host (two labels at least) that is a zone of this token. */
async function findZone(api: Api, req: UpdateRequest): Promise<Step<{ id: string; name: string }>> {
  const host = req.host.toLowerCase().replace(/\.$/, '');
  const configured = req.service.zone.toLowerCase();
  if (configured !== '' && !within(host, configured)) {
    return { ok: false, outcome: { kind: 'rejected', reach: 'host', message: `${req.host} is not inside zone ${configured}` } };
  }
  const labels = host.split('.');
  const candidates = configured !== '' ? [configured] : labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
  for (const name of candidates) {
    const r = await call<{ id: string; name: string }[]>(api, req, 'GET', `/zones?${new URLSearchParams({ name })}`);
    if (!r.ok) return r;
    const zone = Array.isArray(r.value) ? r.value.find((z) => typeof z?.id === 'string' && String(z.name).toLowerCase() === name) : undefined;
    if (zone !== undefined) return { ok: true, value: { id: zone.id, name } };
  }
  const what = configured !== '' ? `zone ${configured} is not` : `no zone holding ${req.host} is`;
  return { ok: false, outcome: { kind: 'rejected', reach: 'host', message: `Cloudflare: ${what} visible to this token` } };
}

/** One API call: its `result` when `success` is true, else the outcome its status and error codes mean. */
async function call<T>(api: Api, req: UpdateRequest, method: 'GET' | 'POST' | 'PATCH', path: string, body?: object): Promise<Step<T>> {
  const left = api.timeoutMs - (performance.now() - api.started);
  if (left <= 0) return { ok: false, outcome: { kind: 'trouble', message: `no answer within ${api.timeoutMs / 1000} s` } };
  const res = await httpGet({
    url: `${api.base}${path}`,
    method,
    headers: {
      'User-Agent': USER_AGENT,
      Authorization: `Bearer ${api.token}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeoutMs: Math.ceil(left),
    maxBytes: MAX_ANSWER_BYTES,
    ...(api.opts.ca ? { ca: api.opts.ca } : {}),
    ...(api.opts.signal ? { signal: api.opts.signal } : {}),
  });
  if (!res.ok) return { ok: false, outcome: transportOutcome(res.error) };
  return classify<T>(res.value, req);
}

interface Envelope {
  success?: unknown;
  errors?: { code?: unknown; message?: unknown }[];
  result?: unknown;
}

export function classify<T>(res: HttpResponse, req: UpdateRequest): Step<T> {
  const s = res.status;
  const fail = (outcome: Outcome): Step<T> => ({ ok: false, outcome });
  if (s >= 300 && s <= 399) return fail({ kind: 'rejected', reach: 'service', message: `HTTP ${s}: the API redirects; not followed, check update_url` });
  let env: Envelope | null = null;
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (parsed !== null && typeof parsed === 'object') env = parsed as Envelope;
  } catch {
    env = null;
  }
  const errors = Array.isArray(env?.errors) ? env.errors : [];
  const codes = errors.map((e) => Number(e?.code)).filter((c) => Number.isFinite(c));
  const said = describeErrors(errors, req, res);
  if (s === 429 || s >= 500) return fail({ kind: 'trouble', message: `HTTP ${s}${said}` });
  if (s === 401 || s === 403 || codes.some((c) => CREDENTIAL_CODES.has(c))) {
    return fail({ kind: 'rejected', reach: 'service', message: `HTTP ${s}: the API token is refused${said}` });
  }
  if (env === null) return fail({ kind: 'trouble', message: `HTTP ${s}: not a Cloudflare API answer${said}` });
  if (s >= 200 && s <= 299 && env.success === true) return { ok: true, value: env.result as T };
  if (s >= 400 && s <= 499) return fail({ kind: 'rejected', reach: 'record', message: `HTTP ${s}${said}` });
  return fail({ kind: 'trouble', message: `HTTP ${s}: unexpected answer${said}` });
}

/** `: 9109 "Invalid access token"`, with the token taken out of the provider's words. */
function describeErrors(errors: { code?: unknown; message?: unknown }[], req: UpdateRequest, res: HttpResponse): string {
  const credentials = { username: '', password: req.service.password };
  if (errors.length === 0) return res.body.trim() === '' ? '' : `: ${quotedAnswer(res.body, credentials, 60)}`;
  const first = errors[0] ?? {};
  return `: ${String(first.code ?? '?')} ${quotedAnswer(String(first.message ?? ''), credentials, 80)}`;
}

function within(host: string, zone: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const z = zone.toLowerCase().replace(/\.$/, '');
  return h === z || h.endsWith(`.${z}`);
}
