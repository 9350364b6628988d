// protocol 'nsupdate': RFC 2136 dynamic update, signed with TSIG (RFC 8945), sent
// to the zone's primary server. One UPDATE per record: delete the name's A (or
// AAAA) set, add the address, in one message (so atomically). UDP, TCP when the
// answer is truncated; the answer's signature is checked before it is believed.
import { randomInt } from 'node:crypto';
import type { Outcome, ServiceConfig, TsigAlgorithm, UpdateRequest } from '../types';
import { recordType } from '../types';
import type { SectionReader } from '../config/reader';
import { parseDnsServer, parseInteger } from '../config/values';
import type { ProtocolOptionValues, SendOptions, SendResult, UpdateSpec } from './provider';
import { PROTOCOL_OPTION_DEFAULTS } from './provider';
import { CLASS, RCODE_NAMES, TYPE, buildUpdate, readHeader } from '../lib/dns/message';
import { type TsigKey, sign, verify } from '../lib/dns/tsig';
import { exchange } from '../lib/dns/transport';
import { canonicalAddress } from '../detect/select';
import { isIP } from 'node:net';

export const TSIG_ALGORITHMS: readonly TsigAlgorithm[] = ['hmac-sha256', 'hmac-sha512'];
export const DEFAULT_TTL = 300;

export const HELP: Readonly<Record<string, string>> = {
  dns_server: "The zone's primary server: 'IP', 'IPv4:port' or '[IPv6]:port' (port 53 by default).",
  zone: "The zone the hosts are in, like 'example.com' (required).",
  username: "The TSIG key's name, as in the server's key statement.",
  password: "The TSIG key's secret, base64 (as tsig-keygen prints it).",
  tsig_algorithm: 'hmac-sha256 (default) or hmac-sha512, as in the key statement.',
  ttl: `TTL in seconds of the records updyn writes (default ${DEFAULT_TTL}).`,
};

export const nsupdate: UpdateSpec = {
  update: updateRecord,
  options: {
    defaultUpdateUrl: '',
    read: readOptions,
    missing: (s, has) => [
      ...(s.zone === '' && !has('zone') ? ["a zone (option zone 'example.com')"] : []),
      ...(s.dns_server === '' && !has('dns_server') ? ["the primary server (option dns_server 'IP' or 'IP:port')"] : []),
    ],
    help: HELP,
  },
};

function readOptions(r: SectionReader, s: ServiceConfig): ProtocolOptionValues {
  const zone = r.string('zone', '', (z) => (/^[A-Za-z0-9_]([A-Za-z0-9_-]*\.?)*$/.test(z) && z.length <= 253 ? { ok: true, value: z } : { ok: false, error: 'is not a zone name' })).replace(/\.$/, '');
  for (const h of zone === '' ? [] : s.host) {
    const l = h.toLowerCase();
    if (l !== zone.toLowerCase() && !l.endsWith(`.${zone.toLowerCase()}`)) r.fail('zone', `does not hold host '${h}'`, zone);
  }
  const ttlText = r.single('ttl');
  let ttl = DEFAULT_TTL;
  if (ttlText !== undefined) {
    const n = parseInteger(ttlText.value, 0, 604800);
    if (n.ok) ttl = n.value;
    else r.fail('ttl', n.error, ttlText.value);
  }
  const tsig_algorithm = r.oneOf('tsig_algorithm', TSIG_ALGORITHMS, 'hmac-sha256');
  if (s.password !== '' && !isBase64(s.password)) r.fail('password', 'must be the base64 TSIG secret');
  if (r.single('proxied') !== undefined) r.warn('proxied', "is only used with protocol 'cloudflare', so it is ignored");
  return { ...PROTOCOL_OPTION_DEFAULTS, zone, ttl, tsig_algorithm };
}

async function updateRecord(req: UpdateRequest, opts: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const outcome = await run(req, opts);
  return { ...outcome, elapsedMs: Math.round(performance.now() - started) };
}

async function run(req: UpdateRequest, opts: SendOptions): Promise<Outcome> {
  const { service } = req;
  const server = parseDnsServer(service.dns_server);
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
