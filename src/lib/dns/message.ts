// DNS messages on the wire (RFC 1035 4.1): names, resource records, and the
// RFC 2136 UPDATE layout (zone, prerequisite, update, additional sections).
// Pure: bytes in, bytes out; nothing here knows what the records are for.

export const TYPE = { A: 1, SOA: 6, AAAA: 28, TSIG: 250 } as const;
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE_UPDATE = 5;
export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

export interface Rr {
  name: string;
  type: number;
  class: number;
  ttl: number;
  rdata: Buffer;
}

/** A name in wire form, lower-cased (canonical, RFC 4034 6.2), never compressed. */
export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l.toLowerCase(), 'ascii');
    if (b.length > 63) throw new Error('label longer than 63 octets');
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function encodeRr(rr: Rr): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(rr.type, 0);
  fixed.writeUInt16BE(rr.class, 2);
  fixed.writeUInt32BE(rr.ttl >>> 0, 4);
  fixed.writeUInt16BE(rr.rdata.length, 8);
  return Buffer.concat([encodeName(rr.name), fixed, rr.rdata]);
}

/** An UPDATE message (RFC 2136 2): the zone, no prerequisites, the updates in order. */
export function buildUpdate(id: number, zone: string, updates: readonly Rr[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(OPCODE_UPDATE << 11, 2);
  header.writeUInt16BE(1, 4); // ZOCOUNT
  header.writeUInt16BE(0, 6); // PRCOUNT
  header.writeUInt16BE(updates.length, 8); // UPCOUNT
  header.writeUInt16BE(0, 10); // ADCOUNT
  const zoneSection = Buffer.concat([encodeName(zone), Buffer.from([0, TYPE.SOA, 0, CLASS.IN])]);
  return Buffer.concat([header, zoneSection, ...updates.map(encodeRr)]);
}

export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  tc: boolean;
  rcode: number;
  counts: [number, number, number, number];
}

export function readHeader(m: Buffer): Header | null {
  if (m.length < 12) return null;
  const flags = m.readUInt16BE(2);
  return {
    id: m.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    tc: (flags & 0x0200) !== 0,
    rcode: flags & 0xf,
    counts: [m.readUInt16BE(4), m.readUInt16BE(6), m.readUInt16BE(8), m.readUInt16BE(10)],
  };
}

/** Reads a (possibly compressed) name at `at`: the name and the offset just past it, or null. */
export function readName(m: Buffer, at: number): { name: string; end: number } | null {
  const labels: string[] = [];
  let pos = at;
  let end = -1;
  for (let hops = 0; hops < 128; hops++) {
    if (pos >= m.length) return null;
    const len = m[pos] as number;
    if (len === 0) return { name: labels.join('.'), end: end < 0 ? pos + 1 : end };
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= m.length) return null;
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | (m[pos + 1] as number);
      continue;
    }
    if ((len & 0xc0) !== 0 || pos + 1 + len > m.length) return null;
    labels.push(m.subarray(pos + 1, pos + 1 + len).toString('latin1'));
    pos += 1 + len;
  }
  return null;
}

export interface ParsedRr extends Rr {
  /** where the record starts in the message */
  offset: number;
}

/** Every record after the question/zone section, in order; null when the message does not parse. */
export function readRecords(m: Buffer): ParsedRr[] | null {
  const h = readHeader(m);
  if (h === null) return null;
  let pos = 12;
  for (let i = 0; i < h.counts[0]; i++) {
    const n = readName(m, pos);
    if (n === null || n.end + 4 > m.length) return null;
    pos = n.end + 4;
  }
  const out: ParsedRr[] = [];
  const total = h.counts[1] + h.counts[2] + h.counts[3];
  for (let i = 0; i < total; i++) {
    const offset = pos;
    const n = readName(m, pos);
    if (n === null || n.end + 10 > m.length) return null;
    const len = m.readUInt16BE(n.end + 8);
    if (n.end + 10 + len > m.length) return null;
    out.push({
      offset,
      name: n.name,
      type: m.readUInt16BE(n.end),
      class: m.readUInt16BE(n.end + 2),
      ttl: m.readUInt32BE(n.end + 4),
      rdata: m.subarray(n.end + 10, n.end + 10 + len),
    });
    pos = n.end + 10 + len;
  }
  return out;
}
