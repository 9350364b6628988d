// Driving a provider that runs in another process (often in another network namespace): the same
// operations as the in-process Provider, asynchronous, over the control endpoints.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { builtPath } from '../support/env';
import type { ControlReply } from './control';
import { describeLog } from './state';
import type { Endpoint, Family, Mode, ProviderInfo, RecordedRequest, RecordSet } from './types';

export interface RemoteProvider extends ProviderInfo {
  requests(): Promise<RecordedRequest[]>;
  records(): Promise<Map<string, RecordSet>>;
  setMode(endpoint: Endpoint, mode: Mode): Promise<void>;
  setCheckipAnswer(family: Family, address: string | null): Promise<void>;
  /** Polls the request log: the first n requests (since the last reset) that pass the filter. */
  waitForRequests(n: number, timeoutMs: number, filter?: (r: RecordedRequest) => boolean): Promise<RecordedRequest[]>;
  reset(): Promise<void>;
}

export interface SpawnedProvider extends RemoteProvider {
  pid: number;
  /** What the provider wrote on stderr so far (its request log), the last 64 KiB. */
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/** One control call: method, path under /_control/, JSON body. */
type Transport = (method: string, path: string, body?: unknown) => Promise<ControlReply>;

const CALL_TIMEOUT_MS = 5000;

/** A provider listening at `url` (its control endpoints must be reachable from here). */
export async function connectProvider(url: string): Promise<RemoteProvider> {
  const base = url.replace(/\/$/, '');
  return handle(await infoOf(httpTransport(base)), httpTransport(base));
}

/** Starts the cli (in a network namespace with `netns`), waits for its JSON line, and drives it over
 * its stdin/stdout: that reaches it in any namespace, routed to or not. */
export async function spawnProvider(
  args: readonly string[] = [],
  opts: { netns?: string; timeoutMs?: number; cliPath?: string } = {},
): Promise<SpawnedProvider> {
  const argv = [opts.cliPath ?? builtPath('test/provider/cli'), ...args, '--control-stdio'];
  const [cmd, cmdArgs] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, process.execPath, ...argv]] : [process.execPath, argv];
  const child = spawn(cmd, cmdArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-65536)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const pending = new Map<number, (r: ControlReply | Error) => void>();
  let ready: (line: string | Error) => void = () => undefined;
  const firstLine = new Promise<string | Error>((resolve) => (ready = resolve));
  child.once('error', (e) => ready(e));
  let gone = false;
  child.stdin.on('error', () => undefined); // EPIPE once it has exited: the pending calls say so
  void exited.then(() => {
    gone = true;
    ready(new Error(`exited (${child.exitCode ?? child.signalCode}) before listening`));
    for (const done of pending.values()) done(new Error('the provider process exited'));
  });
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  let seenReady = false;
  lines.on('line', (line) => {
    if (!seenReady) return ((seenReady = true), ready(line));
    const msg = JSON.parse(line) as ControlReply & { id: number };
    pending.get(msg.id)?.(msg);
  });

  const stop = async (): Promise<void> => {
    if (child.pid === undefined) return; // never started (spawn error): nothing to wait for
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
  };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const timer = setTimeout(() => ready(new Error(`no JSON line within ${timeoutMs} ms`)), timeoutMs);
  const line = await firstLine;
  clearTimeout(timer);
  let info: ProviderInfo;
  try {
    if (line instanceof Error) throw line;
    info = JSON.parse(line) as ProviderInfo;
  } catch (e) {
    await stop();
    throw new Error(`spawnProvider: ${(e as Error).message}; stderr:\n${err}`);
  }

  let nextId = 0;
  const stdio: Transport = (method, path, body) =>
    new Promise((resolve, reject) => {
      if (gone) return reject(new Error('the provider process exited'));
      const id = ++nextId;
      const t = setTimeout(() => done(new Error(`control ${method} ${path}: no answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      const done = (r: ControlReply | Error) => {
        clearTimeout(t);
        pending.delete(id);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      pending.set(id, done);
      child.stdin.write(`${JSON.stringify({ id, method, path: `/_control/${path}`, body })}\n`);
    });
  return { ...handle(info, stdio), pid: child.pid ?? 0, stderr: () => err, stop };
}

function handle(info: ProviderInfo, call: Transport): RemoteProvider {
  const ok = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const r = await call(method, path, body);
    if (r.status !== 200) throw new Error(`control ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const requests = async (since = 0) => (await ok('GET', `requests?since=${since}`)) as RecordedRequest[];
  return {
    ...info,
    requests: () => requests(),
    records: async () => new Map(Object.entries((await ok('GET', 'records')) as Record<string, RecordSet>)),
    setMode: async (endpoint, mode) => void (await ok('POST', 'mode', { endpoint, mode })),
    setCheckipAnswer: async (family, address) => void (await ok('POST', 'checkip', { family, address })),
    reset: async () => void (await ok('POST', 'reset')),
    waitForRequests: async (n, timeoutMs, filter = () => true) => {
      const deadline = Date.now() + timeoutMs;
      const seen: RecordedRequest[] = [];
      for (;;) {
        seen.push(...(await requests(seen.at(-1)?.seq ?? 0)));
        const matching = seen.filter(filter);
        if (matching.length >= n) return matching.slice(0, n);
        if (Date.now() >= deadline)
          throw new Error(`waitForRequests: expected ${n} matching request(s) within ${timeoutMs} ms, got ${matching.length}${describeLog(seen)}`);
        await new Promise((r) => setTimeout(r, Math.min(25, Math.max(1, deadline - Date.now()))));
      }
    },
  };
}

async function infoOf(call: Transport): Promise<ProviderInfo> {
  const r = await call('GET', 'info');
  if (r.status !== 200) throw new Error(`connectProvider: /_control/info answered ${r.status}`);
  return r.body as ProviderInfo;
}

/** Control calls over HTTP, each on a fresh connection with a deadline. */
function httpTransport(base: string): Transport {
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? '' : JSON.stringify(body);
      const req = request(`${base}/_control/${path}`, {
        method,
        agent: false,
        timeout: CALL_TIMEOUT_MS,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) },
      });
      req.on('timeout', () => req.destroy(new Error(`control ${method} ${path}: no answer within ${CALL_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => (text += s));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
          } catch (e) {
            reject(new Error(`control ${method} ${path}: not JSON (${(e as Error).message})`));
          }
        });
        res.on('error', reject);
      });
      req.end(payload);
    });
}
