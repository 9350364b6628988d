// The plain HTTP client the provider's own tests use: node:http, a fresh connection per request,
// and a deadline on everything, so that a provider bug fails a test instead of hanging it.
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { TestContext } from 'node:test';
import { startProvider, type Provider, type ProviderOptions } from './server';

export interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  bytes: Buffer;
}

export interface GetOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** for the whole exchange; default 3000 */
  timeoutMs?: number;
}

/** One request, the whole answer read. Rejects on a connection error, a cut body, or the deadline. */
export async function get(url: string, opts: GetOptions = {}): Promise<Got> {
  const { res, done } = await open(url, opts);
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  await done;
  const bytes = Buffer.concat(chunks);
  return { status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes };
}

/** The response as soon as its headers arrive; `done` settles when its body ends, fails, or times out. */
export function open(url: string, opts: GetOptions = {}): Promise<{ res: IncomingMessage; done: Promise<void>; abort(): void }> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on('response', (res) => {
      const done = new Promise<void>((ok, fail) => {
        res.on('end', ok);
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('aborted')));
        req.on('error', fail);
      }).finally(() => clearTimeout(timer));
      done.catch(() => undefined); // a caller that only looks at headers must not leave it unhandled
      resolve({ res, done, abort: () => req.destroy() });
    });
    req.end(opts.body);
  });
}

/** The Authorization header of HTTP Basic. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A provider for one test on both loopbacks (unless told), stopped when the test ends. */
export async function providerFor(t: TestContext, opts?: ProviderOptions): Promise<Provider & { url6: string }> {
  const p = await startProvider(opts);
  t.after(() => p.stop());
  if (p.url6 === undefined) throw new Error('providerFor: the provider has no IPv6 listener');
  return Object.assign(p, { url6: p.url6 });
}

export const USER = 'login@example.com';
export const TOKEN = 'f7f9c95662ebc538';
export const HOST = 'example.zerigo.com';
export const AUTH = { Authorization: basic(USER, TOKEN) };
