// Helpers shared by the reliability suites: configs for any protocol, runs of
// the real bundle that report what they cost, process CPU and memory from
// /proc, a throwaway CA made with the openssl CLI, and servers that only
// record (to prove that nothing reached them).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { builtPath, needsNetns, underCI } from '../support/env';
import { runUpdyn, type RunOptions, type RunResult } from '../support/updyn';

export const USER = 'login@example.com';

export interface ServiceSpec {
  name?: string;
  protocol?: 'zerigo' | 'dyndns2' | 'custom';
  /** the whole update_url */
  updateUrl: string;
  /** base of the checkip URLs (the test provider's) */
  checkip?: string;
  user?: string;
  token: string;
  auth?: string;
  hosts?: string[];
  ipv4?: boolean;
  ipv6?: boolean;
  ipSource?: string;
  device?: string;
  timeout?: number;
  /** more option lines, already indented */
  extra?: string[];
}

/** A UCI file: the global section and one section per service. Values are single-quoted (UCI-escaped). */
export function conf(opts: { stateDir: string; logLevel?: string; services: ServiceSpec[] }): string {
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  const out = [`config updyn 'global'`, `\toption log_level ${q(opts.logLevel ?? 'info')}`, `\toption state_dir ${q(opts.stateDir)}`, ''];
  for (const s of opts.services) {
    const base = s.checkip ?? 'http://127.0.0.1:9';
    out.push(
      `config service ${q(s.name ?? 'home')}`,
      `\toption enabled '1'`,
      `\toption protocol ${q(s.protocol ?? 'zerigo')}`,
      `\toption update_url ${q(s.updateUrl)}`,
      `\toption username ${q(s.user ?? USER)}`,
      `\toption password ${q(s.token)}`,
      ...(s.auth ? [`\toption auth ${q(s.auth)}`] : []),
      ...(s.hosts ?? ['example.zerigo.com']).map((h) => `\tlist host ${q(h)}`),
      `\toption device ${q(s.device ?? 'lo')}`,
      `\toption ipv4 '${s.ipv4 === false ? 0 : 1}'`,
      `\toption ipv6 '${s.ipv6 === false ? 0 : 1}'`,
      `\toption ip_source ${q(s.ipSource ?? 'checkip')}`,
      `\toption checkip_url ${q(`${base}/checkip`)}`,
      `\toption checkip4_url ${q(`${base}/checkip4`)}`,
      `\toption checkip6_url ${q(`${base.replace('127.0.0.1', '[::1]')}/checkip6`)}`,
      `\toption timeout '${s.timeout ?? 2}'`,
      ...(s.extra ?? []),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}

export interface Usage {
  maxRssKb: number;
  cpuMs: number;
}

/** runUpdyn, plus the run's peak RSS and CPU time (written by usage-preload on exit). */
export async function measuredRun(args: string[], dir: string, opts: RunOptions = {}): Promise<RunResult & { usage: Usage | null }> {
  const file = join(dir, `usage-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const env = { ...opts.env, NODE_OPTIONS: `--require ${builtPath('test/reliability/usage-preload')}`, UPDYN_USAGE_FILE: file };
  const r = await runUpdyn(args, { ...opts, env });
  const usage = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Usage) : null;
  return { ...r, usage };
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** utime + stime of a live process, in ms (fields 14 and 15 of /proc/PID/stat). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** A line of /proc/PID/status in kB (VmRSS, VmHWM). */
export function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Every spelling of a token that could travel: raw, URL-encoded both ways, and inside Basic auth. */
export function secretForms(user: string, token: string): string[] {
  return [
    token,
    encodeURIComponent(token),
    new URLSearchParams({ x: token }).toString().slice(2),
    Buffer.from(`${user}:${token}`).toString('base64'),
  ];
}

/** The forms of `forms` found in `text`, for an assertion message. */
export function leaks(text: string, forms: string[]): string[] {
  return forms.filter((f) => text.includes(f));
}

export interface Tls {
  dir: string;
  ca: string;
  key: string;
  cert: string;
}

/**
 * A CA and a server certificate for 127.0.0.1 signed by it, made with the openssl
 * CLI in `dir`. Without openssl the test is skipped with that reason (a failure under CI).
 */
export function makeTls(t: TestContext, dir: string): Tls | null {
  if (spawnSync('openssl', ['version']).status !== 0) {
    const why = 'the openssl CLI is missing: cannot make a test CA (install openssl)';
    if (underCI) throw new Error(why);
    t.skip(why);
    return null;
  }
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.toString()}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=updyn test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  return { dir, ca: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'server.key'), 'utf8'), cert: readFileSync(join(dir, 'server.pem'), 'utf8') };
}

export interface Recorder {
  url: string;
  port: number;
  /** TCP connections accepted (a TLS handshake that fails still counts one) */
  connections: number;
  /** HTTP requests seen: target and Authorization header */
  requests: { url: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

/**
 * An HTTP(S) server on `host` that records everything and answers with `answer`
 * (default: Zerigo's 200). Stopped when the test ends.
 */
export async function recorder(
  t: TestContext,
  opts: { host?: string; tls?: Tls; answer?: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body: string } } = {},
): Promise<Recorder> {
  const host = opts.host ?? '127.0.0.1';
  const rec: Recorder = { url: '', port: 0, connections: 0, requests: [], stop: async () => undefined };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    rec.requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const a = opts.answer?.(req) ?? { status: 200, body: 'Status: 200\n' };
    res.writeHead(a.status, { 'Content-Type': 'text/plain', ...a.headers });
    res.end(a.body);
  };
  const server: Server = opts.tls ? createHttps({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttp(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    rec.connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  rec.port = (server.address() as AddressInfo).port;
  rec.url = `${opts.tls ? 'https' : 'http'}://${host}:${rec.port}`;
  rec.stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  t.after(() => rec.stop());
  return rec;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The log lines of a run, both streams, for assertions that quote them. */
export const output = (r: { stdout: string; stderr: string }) => `${r.stdout}${r.stderr}`;

export interface PrivateMount {
  /** a prefix (RunOptions.prefix) that runs a command inside the mount namespace */
  enter: string[];
  /** `dir` as the test process sees it from outside: the tmpfs, through /proc/PID/root */
  outside: string;
  /** a shell command inside the namespace */
  sh(script: string): Promise<ExecResult>;
}

/**
 * A tiny tmpfs of `size` on `dir`, in a private mount namespace that only the
 * commands run through `enter` see: disk full and read-only without touching
 * the host. Root only (skips otherwise; fails under CI).
 */
export async function privateMount(t: TestContext, dir: string, size: string): Promise<PrivateMount | null> {
  if (!needsNetns(t)) return null;
  const holder = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${size},mode=0755 updyn-test "$1" && echo ready && exec sleep 600`, 'sh', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => void holder.kill('SIGKILL'));
  const ready = await new Promise<boolean>((resolve) => {
    holder.stdout.once('data', () => resolve(true));
    holder.once('exit', () => resolve(false));
  });
  if (!ready) throw new Error('unshare -m / mount -t tmpfs failed');
  const enter = ['nsenter', '-t', String(holder.pid), '-m', '--'];
  const sh = (script: string) => exec(enter[0]!, [...enter.slice(1), 'sh', '-c', script]);
  return { enter, outside: `/proc/${holder.pid}/root${dir}`, sh };
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function exec(cmd: string, args: string[], timeoutMs = 30_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A TCP proxy that passes requests on at once and holds each answer back for
 * `delayMs()` (per connection): a provider that has already acted when the
 * client still waits for its word. Stopped when the test ends.
 */
export async function slowAnswers(t: TestContext, target: string, delayMs: () => number): Promise<string> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    const upstream = connect(Number(port), hostname);
    const wait = delayMs();
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.once('close', () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => setTimeout(() => client.write(chunk), wait));
    upstream.once('end', () => setTimeout(() => client.end(), wait + 1));
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
