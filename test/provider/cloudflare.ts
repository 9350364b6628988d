// A stand-in for Cloudflare's API v4, the part a DDNS client uses, written from
// Cloudflare's documentation (developers.cloudflare.com/api/resources/zones/methods/list,
// and the DNS records operations of Cloudflare's OpenAPI as published at
// hexdocs.pm/cloudflare/Cloudflare.DnsRecord.html):
//   GET   /client/v4/zones?name=Z
//   GET   /client/v4/zones/{zone_id}/dns_records?type=T&name=N
//   POST  /client/v4/zones/{zone_id}/dns_records            {type, name, content, ttl?, proxied?}
//   PATCH /client/v4/zones/{zone_id}/dns_records/{id}       {content?, ttl?, proxied?}
// Every answer is the envelope {success, errors: [{code, message}], messages, result}.
// Auth is `Authorization: Bearer <token>` only. Error codes as Cloudflare sends them
// (there is no official list; seen in the field): 6003 + 6111 for a malformed
// Authorization header, 9109 for an unknown token, 10000 for a token without the
// permission, 81044 for a record that does not exist, 7003 for an unknown zone id.
import { randomBytes } from 'node:crypto';
import { parseIp, normalizeHost } from './address';
import type { Answer, RequestInfo } from './request';

export const CLOUDFLARE_PREFIX = '/client/v4/';

export interface CfToken {
  token: string;
  /** zone names this token may see (Zone Read) */
  zones: string[];
  /** DNS Edit on those zones; default true */
  edit?: boolean;
}

export interface CfRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  type: 'A' | 'AAAA';
  name: string;
  content: string;
  ttl: number;
  proxied: boolean;
}

export class CloudflareState {
  readonly zones = new Map<string, { id: string; name: string }>();
  readonly records = new Map<string, CfRecord>();
  readonly tokens: CfToken[] = [];

  addZone(name: string): string {
    const id = randomBytes(16).toString('hex');
    this.zones.set(id, { id, name: name.toLowerCase() });
    return id;
  }
  removeZone(name: string): void {
    for (const [id, z] of this.zones) if (z.name === name.toLowerCase()) this.zones.delete(id);
  }
  addToken(t: CfToken): void {
    this.tokens.push(t);
  }
  addRecord(r: Omit<CfRecord, 'id' | 'zone_id' | 'zone_name'> & { zone: string }): CfRecord {
    const zone = [...this.zones.values()].find((z) => z.name === r.zone.toLowerCase());
    if (!zone) throw new Error(`no zone ${r.zone}`);
    const { zone: _z, ...rest } = r;
    const rec: CfRecord = { ...rest, id: randomBytes(16).toString('hex'), zone_id: zone.id, zone_name: zone.name, name: normalizeHost(r.name) };
    this.records.set(rec.id, rec);
    return rec;
  }
  find(name: string, type: string): CfRecord[] {
    return [...this.records.values()].filter((r) => r.name === normalizeHost(name) && r.type === type);
  }
  reset(): void {
    this.zones.clear();
    this.records.clear();
    this.tokens.length = 0;
  }
}

const json = (status: number, body: object): Answer => ({ status, body: JSON.stringify(body), contentType: 'application/json' });
const failure = (status: number, code: number, message: string, chain?: { code: number; message: string }[]) =>
  json(status, { success: false, errors: [{ code, message, ...(chain ? { error_chain: chain } : {}) }], messages: [], result: null });
const success = (result: unknown, extra: object = {}) => json(200, { success: true, errors: [], messages: [], result, ...extra });

export function cloudflareApi(req: RequestInfo, cf: CloudflareState): Answer {
  const path = req.path.slice(CLOUDFLARE_PREFIX.length - 1).replace(/\/$/, '');
  const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '');
  if (!m) return failure(400, 6003, 'Invalid request headers', [{ code: 6111, message: 'Invalid format for Authorization header' }]);
  const token = cf.tokens.find((t) => t.token === m[1]);
  if (!token) return failure(403, 9109, 'Invalid access token');
  const visible = (zoneName: string) => token.zones.some((z) => z.toLowerCase() === zoneName);

  if (path === '/zones') {
    if (req.method !== 'GET') return failure(405, 10405, 'Method not allowed');
    const name = req.query.get('name');
    const zones = [...cf.zones.values()].filter((z) => visible(z.name) && (name === null || z.name === name.toLowerCase()));
    return success(zones.map((z) => ({ id: z.id, name: z.name, status: 'active' })), { result_info: { page: 1, per_page: 20, count: zones.length, total_count: zones.length } });
  }
  const rm = /^\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(path);
  if (!rm) return failure(404, 7000, 'No route for that URI');
  const zone = cf.zones.get(decodeURIComponent(rm[1] ?? ''));
  if (!zone || !visible(zone.name)) return failure(400, 7003, 'Could not route to this zone, perhaps your object identifier is invalid?');
  const recordId = rm[2] === undefined ? undefined : decodeURIComponent(rm[2]);

  if (req.method === 'GET' && recordId === undefined) {
    const type = req.query.get('type');
    const name = req.query.get('name');
    const found = [...cf.records.values()].filter((r) => r.zone_id === zone.id && (type === null || r.type === type) && (name === null || r.name === normalizeHost(name)));
    return success(found, { result_info: { page: 1, per_page: 100, count: found.length, total_count: found.length } });
  }
  if (req.method !== 'POST' && req.method !== 'PATCH') return failure(405, 10405, 'Method not allowed');
  if (token.edit === false) return failure(403, 10000, 'Authentication error');
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return failure(415, 10415, 'Content-Type must be application/json');
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(req.body);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return failure(400, 9207, 'Request body is invalid.');
  }
  if (req.method === 'PATCH') {
    if (recordId === undefined) return failure(405, 10405, 'Method not allowed');
    const rec = cf.records.get(recordId);
    if (!rec || rec.zone_id !== zone.id) return failure(404, 81044, 'Record does not exist.');
    const next = { ...rec };
    const bad = apply(next, body);
    if (bad) return failure(400, 1004, `DNS Validation Error: ${bad}`);
    cf.records.set(rec.id, next);
    return { ...success(next), ip: next.content, record: next.type };
  }
  if (recordId !== undefined) return failure(405, 10405, 'Method not allowed');
  if (body.type !== 'A' && body.type !== 'AAAA') return failure(400, 1004, 'DNS Validation Error: type must be A or AAAA here');
  if (typeof body.name !== 'string') return failure(400, 1004, 'DNS Validation Error: name is required');
  const name = normalizeHost(body.name);
  if (name !== zone.name && !name.endsWith(`.${zone.name}`)) return failure(400, 1004, 'DNS Validation Error: the name is outside the zone');
  const rec: CfRecord = { id: randomBytes(16).toString('hex'), zone_id: zone.id, zone_name: zone.name, type: body.type, name, content: '', ttl: 1, proxied: false };
  const bad = apply(rec, body, true);
  if (bad) return failure(400, 1004, `DNS Validation Error: ${bad}`);
  cf.records.set(rec.id, rec);
  return { ...success(rec), ip: rec.content, record: rec.type };
}

/** Sets content/ttl/proxied from a body; a reason when one is invalid. */
function apply(rec: CfRecord, body: Record<string, unknown>, contentRequired = false): string | undefined {
  if (body.content !== undefined || contentRequired) {
    const ip = typeof body.content === 'string' ? parseIp(body.content) : null;
    if (!ip || ip.record !== rec.type) return `content is not an ${rec.type} address`;
    rec.content = ip.ip;
  }
  if (body.ttl !== undefined) {
    if (typeof body.ttl !== 'number' || !(body.ttl === 1 || (Number.isInteger(body.ttl) && body.ttl >= 30 && body.ttl <= 86400))) return 'ttl must be 1 (automatic) or 30 to 86400';
    rec.ttl = body.ttl;
  }
  if (body.proxied !== undefined) {
    if (typeof body.proxied !== 'boolean') return 'proxied must be a boolean';
    rec.proxied = body.proxied;
  }
  return undefined;
}
