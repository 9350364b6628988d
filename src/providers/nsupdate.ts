// protocol 'nsupdate': RFC 2136 dynamic update, signed with TSIG (RFC 8945), sent
// to the zone's primary server. One UPDATE per record: delete the name's A (or
// AAAA) set, add the address, in one message (so atomically). UDP, TCP when the
// answer is truncated; the answer's signature is checked before it is believed.
import { randomInt } from 'node:crypto';
import type { Outcome, Result, ServiceConfig, TsigAlgorithm, UpdateRequest } from '../types';
import { err, ok, recordType } from '../types';
import type { OptionProblem, OwnProvider, SendOptions, SendResult } from './provider';
import { CLASS, RCODE_NAMES, TYPE, buildUpdate, readHeader } from '../lib/dns/message';
import { type TsigKey, sign, verify } from '../lib/dns/tsig';
import { exchange } from '../lib/dns/transport';
import { canonicalAddress, parseHostPort } from '../lib/ip';
import { isIP } from 'node:net';

export const TSIG_ALGORITHMS: readonly TsigAlgorithm[] = ['hmac-sha256', 'hmac-sha512'];
export const DEFAULT_TTL = 300;

export const nsupdate: OwnProvider = {
  protocol: 'nsupdate',
  title: 'RFC 2136 dynamic update, signed with TSIG (your own DNS server: BIND, Knot, PowerDNS)',
  defaults: { update_url: null, auth: 'none' },
  uses: ['dns_server'],
  options: [
    { name: 'zone', kind: 'string', default: '', check: zoneName, help: "The zone the hosts are in, like 'example.com' (required)." },
    { name: 'ttl', kind: 'integer', default: DEFAULT_TTL, min: 0, max: 604800, help: `TTL in seconds of the records updyn writes (default ${DEFAULT_TTL}).` },
    { name: 'tsig_algorithm', kind: 'select', default: 'hmac-sha256', values: TSIG_ALGORITHMS, help: 'hmac-sha256 (default) or hmac-sha512, as in the key statement.' },
  ],
  help: {
    dns_server: "The zone's primary server: 'IP', 'IPv4:port' or '[IPv6]:port' (port 53 by default).",
    username: "The TSIG key's name, as in the server's key statement.",
    password: "The TSIG key's secret, base64 (as tsig-keygen prints it).",
  },
  validate: (s) => [...zoneHoldsHosts(s), ...(s.password !== '' && !isBase64(s.password) ? [{ option: 'password', why: 'must be the base64 TSIG secret', show: false } as const] : [])],
  missing: (s, has) => [
    ...(s.zone === '' && !has('zone') ? ["a zone (option zone 'example.com')"] : []),
    ...(s.dns_server === '' && !has('dns_server') ? ["the primary server (option dns_server 'IP' or 'IP:port')"] : []),
  ],
  update: updateRecord,
};

/** A zone's name, without the trailing dot. */
function zoneName(z: string): Result<string> {
  return /^[A-Za-z0-9_]([A-Za-z0-9_-]*\.?)*$/.test(z) && z.length <= 253 ? ok(z.replace(/\.$/, '')) : err('is not a zone name');
}

/** Every host must be inside the zone: the server would answer NOTZONE. */
export function zoneHoldsHosts(s: ServiceConfig): OptionProblem[] {
  const zone = s.zone.toLowerCase();
  if (zone === '') return [];
  return s.host
    .filter((h) => h.toLowerCase() !== zone && !h.toLowerCase().endsWith(`.${zone}`))
    .map((h) => ({ option: 'zone', why: `does not hold host '${h}'`, show: true }));
}

async function updateRecord(req: UpdateRequest, opts: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const outcome = await run(req, opts);
  return { ...outcome, elapsedMs: Math.round(performance.now() - started) };
}

async function run(req: UpdateRequest, opts: SendOptions): Promise<Outcome> {
  const { service } = req;
  const server = parseHostPort(service.dns_server, 53);
  if (!server.ok) return { kind: 'rejected', reach: 'service', message: 'dns_server is not set to the primary server' };
  const address = canonicalAddress(req.family, req.address) ?? req.address;
  const type = recordType(req.family);
  const rdata = addressBytes(address);
  if (rdata === null) return { kind: 'rejected', reach: 'record', message: `${address} is not an ${type} address` };
  const key: TsigKey = { name: service.username, algorithm: service.tsig_algorithm, secret: Buffer.from(service.password, 'base64') };
  const message = buildUpdate(randomInt(65536), service.zone, [
    { name: req.host, type: TYPE[type], class: CLASS.ANY, ttl: 0, rdata: Buffer.alloc(0) }, // delete the set (RFC 2136 2.5.2)
    { name: req.host, type: TYPE[type], class: CLASS.IN, ttl: service.ttl, rdata }, // add the address (2.5.1)
  ]);
  const signed = sign(message, key, Date.now() / 1000);
  const r = await exchange(server.value, signed.message, service.timeout * 1000, opts.signal ?? req.signal);
  if (!r.ok) return { kind: 'trouble', message: r.message };
  const h = readHeader(r.answer);
  if (h === null || h.opcode !== 5) return { kind: 'trouble', message: 'not an answer to an UPDATE' };
  const v = verify(r.answer, signed, key, Date.now() / 1000);
  const rcode = RCODE_NAMES[h.rcode] ?? `RCODE ${h.rcode}`;
  if (v.kind === 'tsig-error') {
    return { kind: 'rejected', reach: 'service', message: `${rcode}/${v.name}: the server refuses the TSIG key (name, secret, algorithm${v.name === 'BADTIME' ? ', or this clock' : ''})` };
  }
  if (h.rcode === 9) return { kind: 'rejected', reach: 'service', message: 'NOTAUTH: the server refuses the key, or is not the primary of the zone' };
  if (h.rcode === 5) return { kind: 'rejected', reach: 'host', message: `REFUSED: the server does not let this key update ${req.host}` };
  if (h.rcode === 10) return { kind: 'rejected', reach: 'host', message: `NOTZONE: ${req.host} is not in zone ${service.zone}` };
  if (h.rcode === 2) return { kind: 'trouble', message: 'SERVFAIL' };
  // Only a signed answer is believed: anyone on the path can forge an unsigned NOERROR.
  if (v.kind !== 'verified') return { kind: 'trouble', message: `${rcode}, but ${v.kind === 'bad' ? v.why : 'the answer is not signed'}` };
  if (h.rcode === 0) return { kind: 'ok', message: `NOERROR${r.via === 'tcp' ? ' (TCP)' : ''}` };
  if (h.rcode === 1 || h.rcode === 4) return { kind: 'rejected', reach: 'service', message: `${rcode}: the server does not take this update` };
  return { kind: 'rejected', reach: 'record', message: rcode };
}

function addressBytes(a: string): Buffer | null {
  if (isIP(a) === 4) return Buffer.from(a.split('.').map(Number));
  if (isIP(a) !== 6) return null;
  const [head = '', tail = ''] = a.includes('::') ? a.split('::') : [a, ''];
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  if (groups.length !== 8 || groups.some((g) => g.includes('.'))) return null;
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

function isBase64(s: string): boolean {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) && s.length >= 4;
}
