// One small HTTP(S) GET, the only way updyn talks to the network. A fresh
// connection every time (a pooled socket bound to an address that was just
// deleted hangs until its timeout, exactly when an update matters), an overall
// deadline, a cap on the body, the connection's address family forced when
// asked (checkip), redirects never followed (credentials must not travel on).
import type http from 'node:http';
import type https from 'node:https';
import type { Family } from './ip';
import type { Result } from './result';
import { err, ok } from './result';
import { formatSeconds } from './text';

export interface HttpRequest {
  url: string;
  headers?: Record<string, string>;
  family?: Family;
  timeoutMs: number;
  /** Bytes of body kept; the connection is dropped past it. */
  maxBytes?: number;
  /** PEM CA bundle to trust instead of the system's. */
  ca?: string | Buffer;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  truncated: boolean;
  elapsedMs: number;
}

export type HttpErrorKind = 'timeout' | 'dns' | 'connect' | 'tls' | 'reset' | 'aborted' | 'bad-url';

export interface HttpError {
  kind: HttpErrorKind;
  /** One line, for a log: no URL (it may hold a token), no stack. */
  message: string;
  /** The TLS verification code when kind is 'tls' (CERT_NOT_YET_VALID, ...). */
  code?: string;
  elapsedMs: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024;

export function httpGet(req: HttpRequest): Promise<Result<HttpResponse, HttpError>> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.resolve(err({ kind: 'bad-url', message: 'invalid URL', elapsedMs: 0 }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve(err({ kind: 'bad-url', message: `unsupported scheme ${url.protocol}`, elapsedMs: 0 }));
  }
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;

  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Result<HttpResponse, HttpError>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(r);
    };
    const fail = (kind: HttpErrorKind, message: string, code?: string) =>
      finish(err({ kind, message, elapsedMs: elapsed(), ...(code ? { code } : {}) }));

    const options: https.RequestOptions = {
      method: 'GET',
      agent: false,
      headers: { Connection: 'close', ...req.headers },
      ...(req.family ? { family: req.family === 'ipv4' ? 4 : 6 } : {}),
      ...(req.ca ? { ca: req.ca } : {}),
    };
    const request = transport(url.protocol).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const done = () =>
        finish(
          ok({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            truncated,
            elapsedMs: elapsed(),
          }),
        );
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size = maxBytes;
          truncated = true;
          done();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', done);
      res.on('aborted', () => fail('reset', 'connection closed before the answer was complete'));
      res.on('error', (e) => fail('reset', describe(e)));
    });
    request.on('error', (e: NodeJS.ErrnoException) => {
      const [kind, message] = classify(e);
      fail(kind, message, kind === 'tls' ? e.code : undefined);
    });
    const timer = setTimeout(() => fail('timeout', `no answer within ${formatSeconds(req.timeoutMs)}`), req.timeoutMs);
    const onAbort = () => fail('aborted', 'request cancelled');
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener('abort', onAbort, { once: true });
    request.end();
  });
}

/**
 * node:http and node:https are loaded on first use: each costs about a megabyte
 * of resident memory, and a router with an http-only provider never needs TLS.
 */
function transport(protocol: string): typeof http | typeof https {
  return protocol === 'https:' ? (require('node:https') as typeof https) : (require('node:http') as typeof http);
}

function classify(e: NodeJS.ErrnoException): [HttpErrorKind, string] {
  const code = e.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NODATA')
    return ['dns', `cannot resolve the server's name (${code})`];
  if (code === 'ECONNREFUSED') return ['connect', 'connection refused'];
  if (code === 'ECONNRESET' || code === 'EPIPE') return ['reset', 'connection reset'];
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'EADDRNOTAVAIL' || code === 'ETIMEDOUT')
    return ['connect', `cannot reach the server (${code})`];
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ERR_TLS/i.test(code)) return ['tls', `TLS: ${describe(e)}`];
  return ['connect', describe(e)];
}

/** An error's first line, without a URL (which may carry a token). */
function describe(e: Error): string {
  const first = (e.message || String(e)).split('\n')[0] ?? '';
  return first.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '(url)');
}
