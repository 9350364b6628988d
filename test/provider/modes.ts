// The ways a provider misbehaves, played on a real socket: what a client meets on a bad day.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Mode, ModeKind } from './types';

/** What a mode sent, for the request log. */
export interface Played {
  status: number;
  answer: string;
}

/** Plays a misbehaving mode (anything but 'normal') on this exchange. */
export function playMode(mode: ModeKind, req: IncomingMessage, res: ServerResponse): Played {
  const text = (status: number, body: string, headers: Record<string, string> = {}): Played => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
    return { status, answer: body };
  };
  switch (mode.kind) {
    case 'normal':
      throw new Error('playMode: normal is not a misbehaviour');
    case 'status':
      return text(mode.status, mode.body ?? `Status: ${mode.status}\n`);
    case 'word':
      return text(mode.status ?? 200, mode.word);
    case 'redirect':
      return text(mode.status ?? 302, '', { Location: mode.location });
    case 'hang':
      return { status: 0, answer: '(hang)' };
    case 'close':
      req.socket.destroy();
      return { status: 0, answer: '(closed)' };
    case 'reset-mid-body': {
      // Announce 64 bytes, send 9, then RST: the client has seen a 200 and must still fail.
      const part = 'Status: 2';
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '64' });
      res.write(part, () => setImmediate(() => reset(req.socket)));
      return { status: 200, answer: `(reset after ${part.length} of 64 bytes)` };
    }
    case 'garbage': {
      const bytes = randomBytes(64 + Math.floor(Math.random() * 448));
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(bytes.length) });
      res.end(bytes);
      return { status: 200, answer: `(${bytes.length} random bytes)` };
    }
    case 'slow-body':
      trickle(res, mode.bytesPerSecond);
      return { status: 200, answer: `(endless body at ${mode.bytesPerSecond} B/s)` };
    case 'huge-body':
      pour(res, mode.bytes);
      return { status: 200, answer: `(${mode.bytes} bytes)` };
  }
}

/** A TCP reset where Node has it (18.3+), else a plain close: either way the body ends early. */
function reset(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** An endless chunked body at about `bytesPerSecond`, until the client (or stop()) closes the socket. */
function trickle(res: ServerResponse, bytesPerSecond: number): void {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.flushHeaders();
  // Under 20 B/s one byte per tick; above it 20 ticks a second, so the rate holds without a busy timer.
  const tickMs = Math.max(50, 1000 / bytesPerSecond);
  const perTick = Math.max(1, Math.round((bytesPerSecond * tickMs) / 1000));
  const chunk = Buffer.alloc(perTick, 'x');
  const timer = setInterval(() => res.write(chunk), tickMs);
  res.socket?.once('close', () => clearInterval(timer));
}

/** Exactly `bytes` bytes of body, written as fast as the client reads (backpressure respected). */
function pour(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(bytes) });
  const block = Buffer.alloc(64 * 1024, 'x');
  let left = bytes;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, block.length);
      left -= n;
      if (!res.write(block.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

/** A Mode from untrusted JSON (the control endpoint), or an Error saying what is wrong with it. */
export function parseMode(x: unknown): Mode {
  if (typeof x !== 'object' || x === null) throw new Error('mode must be an object with a "kind"');
  const m = x as Record<string, unknown>;
  const int = (k: string, min: number, max: number): number => {
    const v = m[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw new Error(`mode ${String(m.kind)}: "${k}" must be an integer from ${min} to ${max}`);
    return v;
  };
  const str = (k: string): string => {
    if (typeof m[k] !== 'string') throw new Error(`mode ${String(m.kind)}: "${k}" must be a string`);
    return m[k] as string;
  };
  const opt = <T>(k: string, read: (k: string) => T): T | undefined => (m[k] === undefined ? undefined : read(k));
  const status = (k: string): number => int(k, 100, 599);
  const times = opt('times', (k) => int(k, 1, 1e9));
  const kind = ((): ModeKind => {
    switch (m.kind) {
      case 'normal':
      case 'hang':
      case 'close':
      case 'reset-mid-body':
      case 'garbage':
        return { kind: m.kind };
      case 'status':
        return { kind: 'status', status: status('status'), ...defined('body', opt('body', str)) };
      case 'slow-body':
        return { kind: 'slow-body', bytesPerSecond: int('bytesPerSecond', 1, 1e9) };
      case 'huge-body':
        return { kind: 'huge-body', bytes: int('bytes', 0, 2 ** 40) };
      case 'redirect':
        return { kind: 'redirect', location: str('location'), ...defined('status', opt('status', status)) };
      case 'word':
        return { kind: 'word', word: str('word'), ...defined('status', opt('status', status)) };
      default:
        throw new Error(`unknown mode kind ${JSON.stringify(m.kind)}`);
    }
  })();
  return times === undefined ? kind : { ...kind, times };
}

function defined<K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, V>);
}
