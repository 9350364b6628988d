// TSIG (RFC 8945): signing a request with a shared key and verifying the
// signed answer, over node:crypto's HMAC. Pure: the time is passed in.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASS, TYPE, encodeName, readHeader, readRecords } from './message';

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';
const DIGEST: Record<TsigAlgorithm, string> = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' };
export const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };
/** RFC 8945 10: 300 s is the recommended fudge. */
export const FUDGE = 300;

export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

export interface Signed {
  message: Buffer;
  mac: Buffer;
  id: number;
}

/** The message with a TSIG record appended (ARCOUNT + 1), and the MAC the answer's MAC chains on. */
export function sign(message: Buffer, key: TsigKey, timeSigned: number): Signed {
  const id = message.readUInt16BE(0);
  const time = timeField(timeSigned);
  const variables = Buffer.concat([encodeName(key.name), u16(CLASS.ANY), u32(0), encodeName(key.algorithm), time, u16(FUDGE), u16(0), u16(0)]);
  const mac = hmac(key, [message, variables]);
  const rdata = Buffer.concat([encodeName(key.algorithm), time, u16(FUDGE), u16(mac.length), mac, u16(id), u16(0), u16(0)]);
  const rr = Buffer.concat([encodeName(key.name), u16(TYPE.TSIG), u16(CLASS.ANY), u32(0), u16(rdata.length), rdata]);
  const out = Buffer.concat([message, rr]);
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  return { message: out, mac, id };
}

export type Verdict =
  /** signed with our key, the MAC right and the time within the fudge */
  | { kind: 'verified' }
  /** the server could not verify us: its TSIG error (BADSIG, BADKEY, BADTIME), unsigned as RFC 8945 5.3.2 says */
  | { kind: 'tsig-error'; error: number; name: string }
  | { kind: 'unsigned' }
  | { kind: 'bad'; why: string };

/** Checks an answer's TSIG against the request's MAC (RFC 8945 5.3, 4.3.1). */
export function verify(answer: Buffer, request: Signed, key: TsigKey, now: number): Verdict {
  const records = readRecords(answer);
  if (records === null) return { kind: 'bad', why: 'the answer does not parse' };
  const last = records[records.length - 1];
  if (last === undefined || last.type !== TYPE.TSIG) return { kind: 'unsigned' };
  const rd = last.rdata;
  const alg = readNameAt(rd, 0);
  if (alg === null) return { kind: 'bad', why: 'malformed TSIG record' };
  let p = alg.end;
  if (p + 10 > rd.length) return { kind: 'bad', why: 'malformed TSIG record' };
  const timeBytes = rd.subarray(p, p + 6);
  const time = rd.readUInt16BE(p) * 2 ** 32 + rd.readUInt32BE(p + 2);
  const fudge = rd.readUInt16BE(p + 6);
  const macLen = rd.readUInt16BE(p + 8);
  p += 10;
  if (p + macLen + 6 > rd.length) return { kind: 'bad', why: 'malformed TSIG record' };
  const mac = rd.subarray(p, p + macLen);
  p += macLen;
  const originalId = rd.readUInt16BE(p);
  const error = rd.readUInt16BE(p + 2);
  const otherLen = rd.readUInt16BE(p + 4);
  const other = rd.subarray(p + 6, p + 6 + otherLen);
  if (error !== 0 && macLen === 0) return { kind: 'tsig-error', error, name: TSIG_ERRORS[error] ?? `TSIG error ${error}` };
  if (last.name.toLowerCase() !== key.name.toLowerCase().replace(/\.$/, '')) return { kind: 'bad', why: 'signed with another key' };
  if (alg.name.toLowerCase() !== key.algorithm) return { kind: 'bad', why: 'signed with another algorithm' };
  // the answer as it was before the TSIG was added: ARCOUNT - 1, the original id
  const body = Buffer.from(answer.subarray(0, last.offset));
  body.writeUInt16BE(originalId, 0);
  const h = readHeader(answer);
  body.writeUInt16BE((h?.counts[3] ?? 1) - 1, 10);
  const variables = Buffer.concat([encodeName(last.name), u16(CLASS.ANY), u32(0), encodeName(alg.name), timeBytes, u16(fudge), u16(error), u16(otherLen), other]);
  const expected = hmac(key, [u16(request.mac.length), request.mac, body, variables]);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return { kind: 'bad', why: 'the answer is not signed with our key' };
  if (error !== 0) return { kind: 'tsig-error', error, name: TSIG_ERRORS[error] ?? `TSIG error ${error}` };
  if (Math.abs(now - time) > fudge) return { kind: 'bad', why: 'the answer was signed at another time (is the clock right?)' };
  return { kind: 'verified' };
}

function hmac(key: TsigKey, parts: Buffer[]): Buffer {
  const h = createHmac(DIGEST[key.algorithm], key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** A TSIG record's names are never compressed (RFC 8945 4.2). */
function readNameAt(b: Buffer, at: number): { name: string; end: number } | null {
  const labels: string[] = [];
  let p = at;
  while (p < b.length) {
    const len = b[p] as number;
    if (len === 0) return { name: labels.join('.'), end: p + 1 };
    if (len > 63 || p + 1 + len > b.length) return null;
    labels.push(b.subarray(p + 1, p + 1 + len).toString('latin1'));
    p += 1 + len;
  }
  return null;
}

function timeField(seconds: number): Buffer {
  const b = Buffer.alloc(6);
  const s = Math.floor(seconds);
  b.writeUInt16BE(Math.floor(s / 2 ** 32), 0);
  b.writeUInt32BE(s % 2 ** 32, 2);
  return b;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};
