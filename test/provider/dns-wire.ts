// The DNS message format (RFC 1035 §4), only as much as an authoritative A/AAAA server needs:
// read one question, write a response that echoes it with answers after it.

export const TYPE = { A: 1, AAAA: 28, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const CLASS_IN = 1;
const HEADER = 12;

export interface Question {
  id: number;
  /** the query's flags word: the response keeps its opcode and RD bit */
  flags: number;
  opcode: number;
  /** lower-case, no trailing dot ('' for the root) */
  name: string;
  type: number;
  qclass: number;
  /** the question section as received (name, type, class), echoed in the response */
  raw: Buffer;
}

export interface AnswerRecord {
  type: number;
  ttl: number;
  data: Uint8Array;
}

/** The one question of a query, or null for anything else (a response, 0 or 2+ questions, a name
 * that runs past the packet or uses compression, which a question never needs). */
export function parseQuery(msg: Buffer): Question | null {
  if (msg.length < HEADER + 5) return null;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000 || msg.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let at = HEADER;
  for (;;) {
    const len = msg[at];
    if (len === undefined || len > 63) return null; // 0xC0.. pointers and reserved label types
    at += 1;
    if (len === 0) break;
    if (at + len > msg.length) return null;
    labels.push(msg.toString('latin1', at, at + len));
    at += len;
    if (at - HEADER > 255) return null;
  }
  if (at + 4 > msg.length) return null;
  return {
    id: msg.readUInt16BE(0),
    flags,
    opcode: (flags >> 11) & 0xf,
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(at),
    qclass: msg.readUInt16BE(at + 2),
    raw: msg.subarray(HEADER, at + 4),
  };
}

/** An authoritative response to `q`: header, the question echoed, then the answers, each naming the
 * question's name by a pointer to it (offset 12) rather than repeating it. */
export function buildResponse(q: Question, rcode: number, answers: readonly AnswerRecord[] = []): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(q.id, 0);
  // QR=1, opcode echoed, AA=1, RD echoed, RA=0 (we do not recurse), rcode.
  header.writeUInt16BE(0x8000 | (q.opcode << 11) | 0x0400 | (q.flags & 0x0100) | (rcode & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const parts = [header, q.raw];
  for (const a of answers) {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc000 | HEADER, 0);
    rr.writeUInt16BE(a.type, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(a.ttl, 6);
    rr.writeUInt16BE(a.data.length, 10);
    parts.push(rr, Buffer.from(a.data));
  }
  return Buffer.concat(parts);
}
