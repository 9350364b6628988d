// A minimal authoritative DNS server over UDP, answering A and AAAA from a records map (usually the
// provider's own, so that "the provider set it" and "DNS says it" are one fact), for verify_dns.
// NXDOMAIN for a name it does not hold, an empty answer for a type it does not hold; malformed
// packets are ignored, as a real server drops what it cannot parse.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ipv6Bytes, normalizeHost } from './address';
import { buildResponse, CLASS_IN, parseQuery, RCODE, TYPE, type AnswerRecord, type Question } from './dns-wire';
import type { RecordSet } from './types';

export type DnsMode = 'normal' | 'drop' | 'servfail';

export interface DnsServerOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: a free one */
  port?: number;
  /** read on every query, so changes show at once */
  records: ReadonlyMap<string, RecordSet>;
  /** seconds; default 60 */
  ttl?: number;
}

export interface DnsServer {
  host: string;
  port: number;
  /** every well-formed query, in order, in every mode: name lower-case without trailing dot; type 'A', 'AAAA' or 'TYPEn' */
  queries: { name: string; type: string }[];
  /** drop: no answer at all (the resolver times out); servfail: answer SERVFAIL */
  setMode(mode: DnsMode): void;
  stop(): Promise<void>;
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const ttl = opts.ttl ?? 60;
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', ipv6Only: isIPv6(host) });
  const queries: DnsServer['queries'] = [];
  let mode: DnsMode = 'normal';

  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const q = parseQuery(msg);
    if (!q) return;
    queries.push({ name: q.name, type: typeName(q.type) });
    if (mode === 'drop') return;
    const reply = mode === 'servfail' ? buildResponse(q, RCODE.SERVFAIL) : answer(q, opts.records, ttl);
    socket.send(reply, from.port, from.address);
  });
  // A send to a vanished client fails; a test server must not die of it.
  socket.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port: opts.port ?? 0 }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    host,
    port: socket.address().port,
    queries,
    setMode: (m) => {
      if (!['normal', 'drop', 'servfail'].includes(m)) throw new Error(`unknown DNS mode ${JSON.stringify(m)}`);
      mode = m;
    },
    stop: () => (stopped ??= new Promise<void>((resolve) => socket.close(() => resolve()))),
  };
}

function answer(q: Question, records: ReadonlyMap<string, RecordSet>, ttl: number): Buffer {
  if (q.opcode !== 0) return buildResponse(q, RCODE.NOTIMP);
  if (q.qclass !== CLASS_IN && q.qclass !== TYPE.ANY) return buildResponse(q, RCODE.REFUSED);
  const set = lookup(records, q.name);
  if (!set) return buildResponse(q, RCODE.NXDOMAIN);
  const out: AnswerRecord[] = [];
  const wants = (t: number) => q.type === t || q.type === TYPE.ANY;
  if (set.A !== undefined && wants(TYPE.A)) out.push({ type: TYPE.A, ttl, data: Uint8Array.from(set.A.split('.').map(Number)) });
  if (set.AAAA !== undefined && wants(TYPE.AAAA)) out.push({ type: TYPE.AAAA, ttl, data: ipv6Bytes(set.AAAA) });
  return buildResponse(q, RCODE.NOERROR, out);
}

/** The records of a name, whatever the case or trailing dot of the map's keys. */
function lookup(records: ReadonlyMap<string, RecordSet>, name: string): RecordSet | undefined {
  const direct = records.get(name);
  if (direct) return direct;
  for (const [k, v] of records) if (normalizeHost(k) === name) return v;
  return undefined;
}

function typeName(t: number): string {
  return t === TYPE.A ? 'A' : t === TYPE.AAAA ? 'AAAA' : `TYPE${t}`;
}
