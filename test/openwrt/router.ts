// A pretend router for init.d/updyn: a temporary root holding the stand-ins in
// shims/ (rc.common, procd.sh, network.sh, jshn, and a ubus with a little of
// procd and netifd behind it), the config at <root>/etc/config/updyn, and
// updyn itself: the shipped bundle, run with `-c` that config. The script runs
// as OpenWrt runs it, `sh /etc/rc.common /etc/init.d/updyn ACTION`, under
// busybox's ash when the machine has it.
//
// The stand-ins were checked against the real files during development (not
// in CI: they are not ours to ship): OpenWrt's rc.common, procd.sh and
// network.sh, libubox's jshn.sh with its jshn program built from source, and
// a start / reload / check / update / stop sequence gave the same `ubus`
// messages and the same procd actions under both.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { dirname, join } from 'node:path';
import { bundlePath, repoRoot, tempDir } from '../support/env';

export const SHIMS = join(repoRoot, 'test/openwrt/shims');
export const INIT_SCRIPT = join(repoRoot, 'init.d/updyn');

/**
 * The shell OpenWrt would use: busybox ash if installed, else bash. (procd.sh
 * turns signal names into numbers with `kill -l HUP`, which ash and bash
 * answer and dash does not.)
 */
export const SHELL: string[] = (() => {
  for (const dir of ['/usr/bin', '/bin']) {
    if (existsSync(join(dir, 'busybox')) && spawnSync(join(dir, 'busybox'), ['sh', '-c', 'true']).status === 0) {
      return [join(dir, 'busybox'), 'sh'];
    }
  }
  return existsSync('/bin/bash') ? ['/bin/bash'] : ['/bin/sh'];
})();

export interface InstanceDef {
  command: string[];
  respawn?: string[];
  term_timeout?: number;
  stdout?: boolean;
  stderr?: boolean;
  file?: string[];
  reload_signal?: number;
  [k: string]: unknown;
}

export interface ServiceMessage {
  name: string;
  script?: string;
  instances: Record<string, InstanceDef>;
  triggers: unknown[];
}

export interface ProcdAction {
  action: 'start' | 'stop' | 'signal' | 'restart' | 'event';
  instance?: string;
  pid?: number;
  signal?: number;
  command?: string[];
}

export interface LogLine {
  tag: string;
  priority: string;
  message: string;
}

export interface RunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class Router {
  readonly root: string;
  readonly state: string;
  readonly conf: string;
  /** What the script runs as PROG (the init script's /usr/bin/updyn). */
  readonly prog: string;

  constructor(t: TestContext, opts: { config?: string; prog?: string } = {}) {
    const dir = tempDir(t, 'updyn-router-');
    this.root = join(dir, 'root');
    this.state = join(dir, 'state');
    cpSync(SHIMS, this.root, { recursive: true });
    mkdirSync(join(this.root, 'etc/config'), { recursive: true });
    mkdirSync(join(this.state, 'ifstatus'), { recursive: true });
    this.conf = join(this.root, 'etc/config/updyn');
    if (opts.config !== undefined) this.writeConfig(opts.config);
    if (opts.prog) this.prog = opts.prog;
    else {
      this.prog = join(dir, 'updyn');
      const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      writeFileSync(this.prog, `#!/bin/sh\ncmd=$1\nshift\nexec ${q(process.execPath)} ${q(bundlePath)} "$cmd" -c ${q(this.conf)} "$@"\n`, { mode: 0o755 });
    }
  }

  writeConfig(text: string): void {
    writeFileSync(this.conf, text, { mode: 0o600 });
    chmodSync(this.conf, 0o600);
  }

  /** What `ubus call network.interface.NAME status` answers; null: no such interface. */
  setInterface(name: string, status: Record<string, unknown> | null): void {
    const file = join(this.state, 'ifstatus', `${name}.json`);
    if (status === null) rmSync(file, { force: true });
    else writeFileSync(file, JSON.stringify(status, null, '\t'));
  }

  /** `/etc/init.d/updyn ACTION`. */
  run(action: string, extraEnv: Record<string, string> = {}): RunOutput {
    const env = {
      ...process.env,
      PATH: [join(this.root, 'usr/bin'), dirname(process.execPath), process.env.PATH ?? ''].join(':'),
      IPKG_INSTROOT: this.root,
      SHIM_ROOT: this.root,
      SHIM_STATE: this.state,
      UPDYN_TEST_PROG: this.prog,
      ...extraEnv,
    };
    const [cmd = '/bin/sh', ...pre] = SHELL;
    const r = spawnSync(cmd, [...pre, join(this.root, 'etc/rc.common'), INIT_SCRIPT, action], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
      cwd: this.state,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  private lines<T>(file: string): T[] {
    const path = join(this.state, file);
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as T);
  }

  /** Every `ubus` invocation, as its arguments. */
  ubusCalls(): string[][] {
    return this.lines<string[]>('ubus.log');
  }

  /** Every message sent with `ubus call service set`, parsed. */
  serviceSets(): ServiceMessage[] {
    return this.ubusCalls()
      .filter((a) => a[0] === 'call' && a[1] === 'service' && a[2] === 'set')
      .map((a) => JSON.parse(a[3] ?? '{}') as ServiceMessage);
  }

  lastSet(): ServiceMessage {
    const sets = this.serviceSets();
    const last = sets[sets.length - 1];
    if (!last) throw new Error('the script sent no `service set`');
    return last;
  }

  /** What the stand-in procd did: start, stop, signal, restart. */
  procd(): ProcdAction[] {
    return this.lines<ProcdAction>('procd.log');
  }

  logs(): LogLine[] {
    return this.lines<LogLine>('logger.log');
  }

  /** Forget the calls and logs so far (procd keeps its state). */
  clear(): void {
    for (const f of ['ubus.log', 'procd.log', 'logger.log']) rmSync(join(this.state, f), { force: true });
  }
}

/** A service section for a config. */
export function serviceSection(name: string | null, options: Record<string, string>, hosts: string[] = ['home.example.com']): string {
  const lines = [name === null ? 'config service' : `config service '${name}'`];
  for (const [k, v] of Object.entries(options)) lines.push(`\toption ${k} '${v}'`);
  for (const h of hosts) lines.push(`\tlist host '${h}'`);
  return `${lines.join('\n')}\n`;
}

/** A config with a global section (state under `stateDir`) and the given services. */
export function configWith(stateDir: string, ...services: string[]): string {
  return [`config updyn 'global'\n\toption state_dir '${stateDir}'\n`, ...services].join('\n');
}

export const CREDENTIALS = { enabled: '1', username: 'login@example.com', password: 'token' };
