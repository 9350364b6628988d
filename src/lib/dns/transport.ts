// One DNS exchange: the message over UDP, again over TCP when the answer comes
// back truncated (RFC 1035 4.2.1, RFC 7766), within one deadline and an
// AbortSignal. Resent over UDP at most twice inside the deadline (a lost
// datagram is ordinary); answers from another address, port or id are ignored.
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { readHeader } from './message';

export interface Server {
  address: string;
  port: number;
}

export type ExchangeResult =
  | { ok: true; answer: Buffer; via: 'udp' | 'tcp' }
  | { ok: false; kind: 'timeout' | 'network' | 'aborted'; message: string };

export async function exchange(server: Server, message: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<ExchangeResult> {
  const deadline = performance.now() + timeoutMs;
  const udp = await overUdp(server, message, timeoutMs, signal);
  if (!udp.ok) return udp;
  if (!readHeader(udp.answer)?.tc) return udp;
  return overTcp(server, message, Math.max(1, deadline - performance.now()), timeoutMs, signal);
}

function overUdp(server: Server, message: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<ExchangeResult> {
  const id = message.readUInt16BE(0);
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(server.address) ? 'udp6' : 'udp4');
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = (r: ExchangeResult) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      socket.close();
      resolve(r);
    };
    const onAbort = () => finish({ ok: false, kind: 'aborted', message: 'request cancelled' });
    const send = () => socket.send(message, server.port, server.address, (e) => e && finish({ ok: false, kind: 'network', message: e.message }));
    socket.on('error', (e) => finish({ ok: false, kind: 'network', message: e.message }));
    socket.on('message', (m, rinfo) => {
      if (rinfo.port !== server.port || normalize(rinfo.address) !== normalize(server.address)) return;
      const h = readHeader(m);
      if (h === null || !h.qr || h.id !== id) return;
      finish({ ok: true, answer: m, via: 'udp' });
    });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    send();
    timers.push(setTimeout(send, timeoutMs / 3), setTimeout(send, (2 * timeoutMs) / 3));
    timers.push(setTimeout(() => finish({ ok: false, kind: 'timeout', message: `no answer within ${timeoutMs / 1000} s` }), timeoutMs));
  });
}

function overTcp(server: Server, message: Buffer, leftMs: number, timeoutMs: number, signal?: AbortSignal): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.address, port: server.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (r: ExchangeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(r);
    };
    const onAbort = () => finish({ ok: false, kind: 'aborted', message: 'request cancelled' });
    const timer = setTimeout(() => finish({ ok: false, kind: 'timeout', message: `no answer within ${timeoutMs / 1000} s (TCP)` }), leftMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(message.length, 0);
      socket.write(Buffer.concat([len, message]));
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish({ ok: true, answer: buf.subarray(2, 2 + buf.readUInt16BE(0)), via: 'tcp' });
      else if (buf.length > 70000) finish({ ok: false, kind: 'network', message: 'oversized TCP answer' });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, kind: 'network', message: `TCP: ${e.code ?? e.message}` }));
    socket.on('close', () => finish({ ok: false, kind: 'network', message: 'TCP connection closed before the answer' }));
  });
}

const normalize = (a: string) => a.replace(/^::ffff:/, '').toLowerCase();
