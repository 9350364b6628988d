// The test provider: one HTTP server (on each listen address) serving the Zerigo update endpoint,
// checkip, dyndns2, a custom-URL endpoint and the controls, over real sockets. Tests start it
// in-process with startProvider(); cli.ts runs it as a process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv6, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { normalizeRemote } from './address';
import { checkip } from './checkip';
import { control, CONTROL_PREFIX, type ControlReply } from './control';
import { customUpdate } from './custom';
import { CLOUDFLARE_PREFIX, cloudflareApi, type CloudflareState } from './cloudflare';
import { dyndns2Update } from './dyndns2';
import { playMode, type Played } from './modes';
import { plain, sent, type Answer, type RequestInfo } from './request';
import { DEFAULT_ACCOUNT, ProviderState } from './state';
import type { Account, Endpoint, Family, Mode, ModeKind, ProviderInfo, RecordedEndpoint, RecordedRequest, RecordSet } from './types';
import { zerigoUpdate } from './zerigo';

export type * from './types';
export { DEFAULT_ACCOUNT } from './state';
export type { ControlReply } from './control';

export interface ProviderOptions {
  /** Default 127.0.0.1 and ::1. Listeners without a port share the first one's (0 or absent: a free one). */
  listen?: { host: string; port?: number }[];
  /** Default: DEFAULT_ACCOUNT alone. */
  accounts?: Account[];
  /** Called with each request once answered (the cli logs with it). */
  onRequest?: (r: RecordedRequest) => void;
}

export interface Provider extends ProviderInfo {
  requests: RecordedRequest[];
  records: Map<string, RecordSet>;
  /** the Cloudflare API stand-in's zones, records and tokens (empty until a test adds some) */
  cloudflare: CloudflareState;
  setMode(endpoint: Endpoint, mode: Mode): void;
  setCheckipAnswer(family: Family, address: string | null): void;
  waitForRequests(n: number, timeoutMs: number, filter?: (r: RecordedRequest) => boolean): Promise<RecordedRequest[]>;
  reset(): void;
  /** The /_control/ operations without HTTP (the cli serves them over stdin/stdout with it). */
  control(method: string, target: string, body?: string): ControlReply;
  stop(): Promise<void>;
}

const ROUTES: Record<string, (req: RequestInfo, state: ProviderState) => Answer> = {
  '/dynamic': zerigoUpdate,
  '/nic/update': dyndns2Update,
  '/custom': customUpdate,
  '/checkip': (req, state) => checkip(req, state, 'dual'),
  '/checkip4': (req, state) => checkip(req, state, 'ipv4'),
  '/checkip6': (req, state) => checkip(req, state, 'ipv6'),
};
const ENDPOINTS: Record<string, RecordedEndpoint> = {
  '/dynamic': 'update',
  '/nic/update': 'dyndns2',
  '/custom': 'custom',
  '/checkip': 'checkip',
  '/checkip4': 'checkip',
  '/checkip6': 'checkip',
};
const CONTROL_BODY_LIMIT = 64 * 1024;

export async function startProvider(opts: ProviderOptions = {}): Promise<Provider> {
  const state = new ProviderState(opts.accounts ?? [DEFAULT_ACCOUNT], opts.onRequest);
  const sockets = new Set<Socket>();
  let info: ProviderInfo = { url: '', port: 0 };
  const servers = await listenAll(
    opts.listen ?? [{ host: '127.0.0.1' }, { host: '::1' }],
    (req, res) => handle(req, res, state, info),
    sockets,
  );
  info = describeListeners(servers);
  let stopping: Promise<void> | undefined;
  return {
    ...info,
    requests: state.requests,
    records: state.records,
    cloudflare: state.cloudflare,
    setMode: (endpoint, mode) => state.setMode(endpoint, mode),
    setCheckipAnswer: (family, address) => state.setCheckipAnswer(family, address),
    waitForRequests: (n, timeoutMs, filter) => state.waitForRequests(n, timeoutMs, filter),
    reset: () => state.reset(),
    control: (method, target, body = '') => control(state, info, method, target, body),
    stop: () =>
      (stopping ??= (async () => {
        state.close();
        // close() alone waits for every connection to end, and a hanging or trickling one never does.
        const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
        for (const s of sockets) s.destroy();
        await Promise.all(closed);
      })()),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, state: ProviderState, info: ProviderInfo): void {
  const arrival = {
    monoMs: performance.now(),
    clockMs: Number(process.hrtime.bigint()) / 1e6,
    wallIso: new Date().toISOString(),
  };
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://provider.invalid');
  } catch {
    write(res, plain(400, 'bad request target\n'));
    return;
  }
  loudly(res, () => serve(req, res, state, info, url, arrival));
}

/** A bug here must fail the test that met it, loudly, rather than leave its client hanging. */
function loudly(res: ServerResponse, run: () => void): void {
  try {
    run();
  } catch (e) {
    const why = `provider bug: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`;
    process.stderr.write(why);
    if (!res.headersSent) write(res, plain(500, why));
    else res.destroy();
  }
}

function serve(
  req: IncomingMessage,
  res: ServerResponse,
  state: ProviderState,
  info: ProviderInfo,
  url: URL,
  arrival: Pick<RecordedRequest, 'monoMs' | 'clockMs' | 'wallIso'>,
): void {
  if (url.pathname.startsWith(CONTROL_PREFIX)) return serveControl(req, res, state, info);
  const seq = state.nextSeq();
  // Read before a mode may destroy the socket, which forgets both.
  const remote = normalizeRemote(req.socket.remoteAddress);
  const localPort = req.socket.localPort ?? 0;
  // a body (Cloudflare's writes) is kept, up to the control limit; a GET's is drained
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= CONTROL_BODY_LIMIT) chunks.push(c);
  });
  req.on('end', () => loudly(res, () => answerRequest(req, res, state, url, arrival, seq, remote, localPort, Buffer.concat(chunks).toString('utf8'))));
}

function answerRequest(
  req: IncomingMessage,
  res: ServerResponse,
  state: ProviderState,
  url: URL,
  arrival: Pick<RecordedRequest, 'monoMs' | 'clockMs' | 'wallIso'>,
  seq: number,
  remote: ReturnType<typeof normalizeRemote>,
  localPort: number,
  body: string,
): void {
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname; // /checkip/ = /checkip
  const isCloudflare = url.pathname.startsWith(CLOUDFLARE_PREFIX);
  const endpoint = isCloudflare ? 'cloudflare' : (ENDPOINTS[path] ?? 'unknown');
  const route = isCloudflare ? (r: RequestInfo, st: ProviderState) => cloudflareApi(r, st.cloudflare) : ROUTES[path];
  const request: RequestInfo = { method: req.method ?? 'GET', query: url.searchParams, headers: req.headers, remote, path: url.pathname, body };

  let mode: ModeKind = { kind: 'normal' };
  let answer: Answer | undefined;
  let played: Played;
  if (endpoint !== 'unknown') mode = state.takeMode(endpoint);
  if (mode.kind !== 'normal') played = playMode(mode, req, res);
  else {
    answer = route ? route(request, state) : plain(404, `no such endpoint ${JSON.stringify(url.pathname)}\n`);
    played = write(res, answer);
  }
  state.record({
    seq,
    ...arrival,
    endpoint,
    method: request.method,
    path: req.url ?? '/',
    query: Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.get(k) ?? ''])),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
    ...sent(endpoint, request),
    remoteAddress: remote.ip,
    remoteFamily: remote.family,
    localPort,
    ...(answer?.ip === undefined ? {} : { ip: answer.ip }),
    ...(answer?.record === undefined ? {} : { record: answer.record }),
    mode: mode.kind,
    ...played,
    ...(body === '' ? {} : { body }),
  });
}

function write(res: ServerResponse, a: Answer): Played {
  const body = Buffer.from(a.body, 'utf8');
  res.writeHead(a.status, {
    'Content-Type': a.contentType ?? 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    ...a.headers,
  });
  res.end(body);
  return { status: a.status, answer: a.body };
}

function serveControl(req: IncomingMessage, res: ServerResponse, state: ProviderState, info: ProviderInfo): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= CONTROL_BODY_LIMIT) chunks.push(c);
  });
  req.on('end', () => {
    const reply =
      size > CONTROL_BODY_LIMIT
        ? { status: 413, body: { error: `control bodies are limited to ${CONTROL_BODY_LIMIT} bytes` } }
        : control(state, info, req.method ?? 'GET', req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
    const body = JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  });
}

/** Binds every listener, IPv4 first, so that the shared port is picked where it is likeliest free;
 * when a later listener finds it taken (another process holds it on ::1), all start again on a new one. */
async function listenAll(
  specs: readonly { host: string; port?: number }[],
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  sockets: Set<Socket>,
): Promise<Server[]> {
  if (specs.length === 0) throw new Error('startProvider: no listen address');
  const ordered = [...specs.filter((s) => !isIPv6(s.host)), ...specs.filter((s) => isIPv6(s.host))];
  const picked = !ordered[0]?.port;
  for (let attempt = 1; ; attempt++) {
    const servers: Server[] = [];
    let shared: number | undefined;
    try {
      for (const spec of ordered) {
        const server = createServer(handler);
        server.on('connection', (s: Socket) => {
          sockets.add(s);
          s.once('close', () => sockets.delete(s));
        });
        servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          // ipv6Only: '::' must not take IPv4 too, or it would collide with a '0.0.0.0' listener.
          server.listen({ host: spec.host, port: spec.port || shared || 0, ipv6Only: isIPv6(spec.host) }, resolve);
        });
        shared ??= (server.address() as AddressInfo).port;
      }
      return servers;
    } catch (e) {
      await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(r) : r(undefined)))));
      if (!(picked && attempt < 5 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE')) throw e;
    }
  }
}

function describeListeners(servers: readonly Server[]): ProviderInfo {
  const urls = servers.map((s) => {
    const a = s.address() as AddressInfo;
    // A wildcard listener is reached through loopback from this machine.
    const host = a.address === '0.0.0.0' ? '127.0.0.1' : a.address === '::' ? '::1' : a.address;
    return { v6: isIPv6(host), url: isIPv6(host) ? `http://[${host}]:${a.port}` : `http://${host}:${a.port}`, port: a.port };
  });
  const v4 = urls.find((u) => !u.v6);
  const v6 = urls.find((u) => u.v6);
  const first = v4 ?? v6 ?? urls[0];
  if (!first) throw new Error('startProvider: nothing is listening');
  return v6 ? { url: first.url, url6: v6.url, port: first.port } : { url: first.url, port: first.port };
}
