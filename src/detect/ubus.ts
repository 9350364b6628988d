// netifd's notifications as a wake-up source, for a router where the netlink
// addon cannot load: `ubus subscribe network.interface` prints one line per
// notification netifd sends on its network.interface object, e.g.
//   { "interface.update": {"interface":"wan","up":true,"ipv4-address":[...],...} }
//   { "interface.down": {"interface":"wan6","up":false,...} }
// (ubus cli.c: ubus_cli_subscribe -> receive_request -> print_event, which
// prints `{ "%s": %s }` with the method and blobmsg_format_json of the data;
// netifd ubus.c netifd_ubus_interface_notify sends "interface.update" or
// "interface.down" with the interface's status, and interface-event.c
// interface_queue_event calls it for every event: ifup, ifdown, and
// IFEV_UPDATE, a change inside a live interface such as a DHCP renew to a new
// address or a new IPv6 prefix). `ubus listen network.interface` would see
// only the ifup/ifdown broadcasts (netifd_ubus_interface_event).
// Each such line calls onEvent (the daemon then re-reads its devices at once
// instead of waiting for the next poll); the poll stays as the safety net,
// e.g. for a netifd restart, after which this subscription hears nothing
// (ubus cli.c sets no remove_cb) until ubus exits and is started again.
//
// The listener never throws and never dies: if `ubus` exits (ubusd restarted,
// netifd not up yet: "Error while registering for event") it is started again
// after a bounded, doubling delay, and onEvent fires once when it is back, for
// whatever happened in between. close() kills the process and cancels every
// timer.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';

export interface UbusListenOptions {
  onEvent: () => void;
  onWarning: (message: string) => void;
  /** Default ['ubus', 'subscribe', 'network.interface']. */
  command?: string[];
  /** Delay before the first restart, doubled after each quick exit. Default 1000. */
  restartMinMs?: number;
  /** Longest delay between restarts. Default 60000. */
  restartMaxMs?: number;
}

export interface UbusListener {
  close(): void;
}

export const DEFAULT_UBUS_COMMAND: readonly string[] = ['ubus', 'subscribe', 'network.interface'];
/** The notifications netifd sends on network.interface (ubus.c netifd_ubus_interface_notify). */
const NOTIFICATIONS = ['interface.update', 'interface.down'];
/** A run this long counts as healthy: the next exit restarts after the shortest delay again. */
const HEALTHY_RUN_MS = 60_000;
/** No event line is anywhere near this; a longer one is garbage (and must not grow the buffer forever). */
const MAX_LINE = 64 * 1024;
/** After SIGTERM, the time ubus gets before SIGKILL. */
const KILL_AFTER_MS = 2_000;

/** Starts listening, or null when the command is not an executable on PATH (no ubus: not OpenWrt). */
export function listenUbus(opts: UbusListenOptions): UbusListener | null {
  const command = opts.command && opts.command.length > 0 ? opts.command : DEFAULT_UBUS_COMMAND;
  const [name = '', ...args] = command;
  const file = findExecutable(name);
  if (file === null) return null;
  return new Listener(file, args, [basename(name), ...args].join(' '), opts);
}

class Listener implements UbusListener {
  private child: ChildProcess | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private delayMs: number;
  private startedAt = 0;
  private runs = 0;
  private warnedGarbage = false;
  private readonly minMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly file: string,
    private readonly args: string[],
    private readonly label: string,
    private readonly opts: UbusListenOptions,
  ) {
    this.minMs = positive(opts.restartMinMs, 1_000);
    this.maxMs = Math.max(positive(opts.restartMaxMs, 60_000), this.minMs);
    this.delayMs = this.minMs;
    this.start();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    if (child) stop(child);
  }

  private start(): void {
    this.restartTimer = null;
    if (this.closed) return;
    let child: ChildProcess;
    try {
      child = spawn(this.file, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      this.exited(null, `cannot start: ${(e as Error).message}`);
      return;
    }
    this.child = child;
    this.startedAt = Date.now();
    const restarted = this.runs++ > 0;
    let lastError = '';
    let done = false;
    const finish = (why: string | null, code: number | null) => {
      if (done) return;
      done = true;
      if (this.child === child) this.child = null;
      this.exited(code, why ?? lastError);
    };
    child.on('error', (e) => finish(`cannot start: ${e.message}`, null));
    child.on('spawn', () => {
      // events sent while no listener ran are lost: look once, now
      if (restarted) this.call(this.opts.onEvent);
    });
    child.on('close', (code, signal) => finish(null, code ?? (signal ? -1 : null)));
    lines(child.stdout, (line) => this.line(line), () => this.garbage('a line longer than 64 KiB'));
    lines(child.stderr, (line) => {
      if (line.trim() !== '') lastError = line.trim().slice(0, 200);
    });
  }

  private exited(code: number | null, why: string): void {
    if (this.closed) return;
    const ranMs = this.startedAt > 0 ? Date.now() - this.startedAt : 0;
    if (ranMs >= HEALTHY_RUN_MS) this.delayMs = this.minMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.maxMs);
    const how = code === null ? '' : code === -1 ? ' (killed by a signal)' : ` (exit code ${code})`;
    const detail = why ? `: ${why}` : '';
    this.warn(`${this.label} stopped${how}${detail}; starting it again in ${formatDelay(delay)}`);
    this.restartTimer = setTimeout(() => this.start(), delay);
    this.restartTimer.unref?.();
  }

  private line(text: string): void {
    const line = text.trim();
    if (line === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.garbage(JSON.stringify(line.slice(0, 80)));
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.garbage(JSON.stringify(line.slice(0, 80)));
      return;
    }
    // one key, the notification's name; other methods are not ours to judge
    const wake = NOTIFICATIONS.some((n) => {
      const body = (parsed as Record<string, unknown>)[n];
      return body !== null && typeof body === 'object' && !Array.isArray(body);
    });
    if (wake) this.call(this.opts.onEvent);
  }

  private garbage(what: string): void {
    if (this.warnedGarbage) return;
    this.warnedGarbage = true;
    this.warn(`${this.label}: ignoring output that is not an event (${what}); further such lines are ignored silently`);
  }

  private warn(message: string): void {
    try {
      this.opts.onWarning(message);
    } catch {
      // a warning sink that throws has nothing better to tell us
    }
  }

  private call(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (e) {
      this.warn(`${this.label}: the event handler failed: ${(e as Error).message}`);
    }
  }
}

/** Splits a stream into lines; a line over MAX_LINE is dropped (onOverlong) up to its end. */
function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void, onOverlong?: () => void): void {
  if (!stream) return;
  let buf = '';
  let skipping = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (skipping) skipping = false;
      else if (line.length > MAX_LINE) onOverlong?.();
      else onLine(line);
    }
    if (buf.length > MAX_LINE) {
      if (!skipping) onOverlong?.();
      skipping = true;
      buf = '';
    }
  });
  stream.on('error', () => undefined);
}

function stop(child: ChildProcess): void {
  child.stdout?.destroy();
  child.stderr?.destroy();
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill('SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }, KILL_AFTER_MS);
  timer.unref?.();
  child.once('exit', () => clearTimeout(timer));
}

/** The executable `name` would run as: a path with a slash as given, else the first match on PATH. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | null {
  if (name === '') return null;
  if (name.includes('/')) return isExecutableFile(name) ? name : null;
  for (const dir of path.split(delimiter)) {
    // an empty entry means the working directory: never look there for a system tool
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function positive(v: number | undefined, def: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : def;
}

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms)} ms`;
}
