// A stand-in for uhttpd's /ubus endpoint and the rpcd objects behind it, with
// rpcd's access rules (openwrt/rpcd session.c, file.c; uhttpd ubus.c):
// - every call needs its ubus object/method in the session's "ubus" scope,
//   else JSON-RPC error -32002 "Access denied";
// - file.read needs the path with "read", file.stat "list", in the "file" scope;
// - file.exec needs the executable, or "executable arg1 arg2" joined by single
//   spaces, with "exec";
// - uci needs the config with "read" or "write" in the "uci" scope;
// - ACL entries are fnmatch patterns; "write" on a group implies its "read".
// rc list/init as rpcd's rc.c answers them; cgi-io's exec (fs.exec_direct) as main.c checks it.
import { fnmatch } from './fnmatch';

export type Perm = 'read' | 'write';
type Scope = Record<string, string[]> | string[];
export type AclFile = Record<string, { description?: string; read?: Record<string, Scope>; write?: Record<string, Scope> }>;

export interface Grant {
  group: string;
  perm: Perm;
  scope: string;
  object: string;
  fn: string;
}

/** Every (scope, object, function) an ACL file grants, in rpcd's table and array notations. */
export function grantsOf(acl: AclFile, groups?: Record<string, Perm[]>): Grant[] {
  const out: Grant[] = [];
  for (const [group, spec] of Object.entries(acl)) {
    const held = groups ? (groups[group] ?? []) : ['read', 'write'];
    for (const perm of ['read', 'write'] as const) {
      if (!held.includes(perm) && !(perm === 'read' && held.includes('write'))) continue;
      for (const [scope, objects] of Object.entries(spec[perm] ?? {})) {
        if (Array.isArray(objects)) for (const object of objects) out.push({ group, perm, scope, object, fn: perm });
        else for (const [object, fns] of Object.entries(objects)) for (const fn of fns) out.push({ group, perm, scope, object, fn });
      }
    }
  }
  return out;
}

/** What every LuCI login holds besides our groups: the ubus side of session and uci (rpcd, luci-base). */
export const BASE_ACL: AclFile = {
  unauthenticated: { read: { ubus: { session: ['access', 'login'] } } },
  'luci-base': {
    read: { ubus: { uci: ['changes', 'get'] } },
    write: { ubus: { uci: ['add', 'apply', 'confirm', 'delete', 'order', 'rename', 'set'] } },
  },
  'luci-base-network-status': { read: { ubus: { 'network.interface': ['dump'], 'luci-rpc': ['getNetworkDevices'] }, uci: ['network'] } },
};

export interface Session {
  groups: Record<string, Perm[]>;
  grants: Grant[];
}

export const allowed = (s: Session, scope: string, object: string, fn: string): boolean =>
  s.grants.some((g) => g.scope === scope && fnmatch(g.object, object) && fnmatch(g.fn, fn));

export type UciValues = Record<string, Record<string, string | string[] | boolean | number>>;

export interface ExecResult {
  code: number;
  stdout?: string;
  stderr?: string;
}

export interface Call {
  sid: string;
  object: string;
  method: string;
  args: Record<string, unknown>;
  /** 'denied' (ubus ACL), else the ubus status code answered */
  outcome: 'denied' | 'no object' | number;
}

const STATUS = { OK: 0, INVALID_ARGUMENT: 2, NOT_FOUND: 4, PERMISSION_DENIED: 6 } as const;

export class FakeRpcd {
  files = new Map<string, string>();
  uci: Record<string, UciValues> = {};
  networks: string[] = ['lan', 'loopback', 'wan', 'wan6'];
  devices: string[] = ['br-lan', 'eth0', 'eth1', 'lo', 'pppoe-wan'];
  execResult: ExecResult = { code: 0, stdout: '', stderr: '' };
  /** /etc/init.d/updyn as rc.c sees it; null: no such init script */
  service: { enabled: boolean; running: boolean } | null = { enabled: true, running: true };
  /** what `updyn status --json` prints (the test sets it; statusContract.test.ts runs the real one) */
  statusJson: string = JSON.stringify({ error: 'no status yet: updyn has not run' });
  /** what `logread -e updyn` prints */
  log = '';
  /** every cgi-io exec: the command line and the HTTP status answered */
  cgiExecs: { command: string; status: number }[] = [];
  calls: Call[] = [];
  /** every reply body sent, for "no token ever leaves" checks */
  replies: string[] = [];
  private sessions = new Map<string, Session>();

  constructor(
    private acl: AclFile,
  ) {}

  session(groups: Record<string, Perm[]>): string {
    const sid = Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
    const all = { unauthenticated: ['read'], 'luci-base': ['read', 'write'], 'luci-base-network-status': ['read'], ...groups } as Record<string, Perm[]>;
    this.sessions.set(sid, { groups: all, grants: grantsOf({ ...BASE_ACL, ...this.acl }, all) });
    return sid;
  }

  groupsOf(sid: string): Record<string, Perm[]> {
    return this.sessions.get(sid)?.groups ?? {};
  }

  reset(): void {
    this.files.clear();
    this.uci = {};
    this.execResult = { code: 0, stdout: '', stderr: '' };
    this.service = { enabled: true, running: true };
    this.statusJson = JSON.stringify({ error: 'no status yet: updyn has not run' });
    this.log = '';
    this.cgiExecs = [];
    this.calls = [];
    this.replies = [];
  }

  /** One JSON-RPC request body in, one reply body out. */
  handle(body: string): string {
    const req = JSON.parse(body) as { id: unknown; method: string; params: [string, string, string, Record<string, unknown>] };
    const reply = (r: object) => {
      const text = JSON.stringify({ jsonrpc: '2.0', id: req.id, ...r });
      this.replies.push(text);
      return text;
    };
    if (req.method !== 'call') return reply({ error: { code: -32601, message: 'Method not found' } });
    const [sid, object, method, rawArgs] = req.params;
    const args = rawArgs ?? {};
    const session = this.sessions.get(sid) ?? { groups: {}, grants: [] };
    const call: Call = { sid, object, method, args, outcome: 'denied' };
    this.calls.push(call);
    if (!this.objects().includes(object)) {
      call.outcome = 'no object';
      return reply({ error: { code: -32000, message: 'Object not found' } });
    }
    if (!allowed(session, 'ubus', object, method)) return reply({ error: { code: -32002, message: 'Access denied' } });
    const [code, data] = this.dispatch(session, sid, object, method, args);
    call.outcome = code;
    return reply({ result: data === undefined ? [code] : [code, data] });
  }

  private objects(): string[] {
    return ['session', 'file', 'uci', 'network.interface', 'luci-rpc', 'rc'];
  }

  private dispatch(s: Session, sid: string, object: string, method: string, a: Record<string, unknown>): [number, object?] {
    const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : '');
    switch (`${object}.${method}`) {
      case 'session.access':
        return [STATUS.OK, { access: allowed(s, str('scope') || 'ubus', str('object'), str('function')) }];
      case 'file.read': {
        const path = canonical(str('path'));
        if (!allowed(s, 'file', path, 'read')) return [STATUS.PERMISSION_DENIED];
        const data = this.files.get(path);
        return data === undefined ? [STATUS.NOT_FOUND] : [STATUS.OK, { data }];
      }
      case 'file.stat': {
        const path = canonical(str('path'));
        if (!allowed(s, 'file', path, 'list')) return [STATUS.PERMISSION_DENIED];
        const data = this.files.get(path);
        return data === undefined ? [STATUS.NOT_FOUND] : [STATUS.OK, { path, type: 'file', size: data.length, mode: 0o644 }];
      }
      case 'file.exec':
        return this.exec(s, a);
      case 'uci.get':
        return this.uciGet(s, str('config'));
      case 'uci.set':
      case 'uci.add':
      case 'uci.delete':
        return this.uciWrite(s, method, a);
      case 'uci.apply':
      case 'uci.confirm':
      case 'uci.changes':
        return [STATUS.OK, method === 'changes' ? { changes: {} } : undefined];
      case 'rc.list':
        return this.rcList(a);
      case 'rc.init':
        return this.rcInit(a);
      case 'luci-rpc.getNetworkDevices':
        return [STATUS.OK, Object.fromEntries(this.devices.map((d) => [d, { name: d, type: 1, up: true, flags: { up: true } }]))];
      case 'network.interface.dump':
        return [STATUS.OK, { interface: this.networks.map((n) => ({ interface: n, up: true })) }];
      default:
        return [3];
    }
  }

  private exec(s: Session, a: Record<string, unknown>): [number, object?] {
    if (a.env != null) return [STATUS.PERMISSION_DENIED];
    const exe = canonical(typeof a.command === 'string' ? a.command : '');
    if (!allowed(s, 'file', exe, 'exec')) {
      if (!Array.isArray(a.params)) return [STATUS.PERMISSION_DENIED];
      const line = [exe, ...a.params.filter((p): p is string => typeof p === 'string')].join(' ');
      if (!allowed(s, 'file', line, 'exec')) return [STATUS.PERMISSION_DENIED];
    }
    return [STATUS.OK, { ...this.execResult }];
  }

  private uciGet(s: Session, config: string): [number, object?] {
    if (!allowed(s, 'uci', config, 'read')) return [STATUS.PERMISSION_DENIED];
    const values = this.uci[config];
    return values ? [STATUS.OK, { values }] : [STATUS.NOT_FOUND];
  }

  private uciWrite(s: Session, method: string, a: Record<string, unknown>): [number, object?] {
    const config = String(a.config);
    if (!allowed(s, 'uci', config, 'write')) return [STATUS.PERMISSION_DENIED];
    const pkg = (this.uci[config] ??= {});
    const values = (a.values ?? {}) as Record<string, string | string[]>;
    if (method === 'add') {
      const name = typeof a.name === 'string' ? a.name : `cfg${Object.keys(pkg).length.toString(16).padStart(6, '0')}`;
      pkg[name] = { '.type': String(a.type), '.name': name, '.anonymous': typeof a.name !== 'string', '.index': Object.keys(pkg).length, ...values };
      return [STATUS.OK, { section: name }];
    }
    const section = pkg[String(a.section)];
    if (!section) return [STATUS.NOT_FOUND];
    if (method === 'set') Object.assign(section, values);
    else if (Array.isArray(a.options)) for (const o of a.options) delete section[String(o)];
    else if (typeof a.option === 'string') delete section[a.option];
    else delete pkg[String(a.section)];
    return [STATUS.OK];
  }

  /** rc.c rc_list: { name: { start, stop, enabled, running } }; a missing script is left out */
  private rcList(a: Record<string, unknown>): [number, object?] {
    const name = typeof a.name === 'string' ? a.name : null;
    if (!this.service || (name !== null && name !== 'updyn')) return [STATUS.OK, {}];
    return [STATUS.OK, { updyn: { start: 95, stop: 10, ...this.service } }];
  }

  /** rc.c rc_init: name without '/' or '..', one of six actions, no data in the reply */
  private rcInit(a: Record<string, unknown>): [number, object?] {
    if (typeof a.name !== 'string' || typeof a.action !== 'string') return [STATUS.INVALID_ARGUMENT];
    if (a.name.includes('/') || a.name.includes('..')) return [STATUS.INVALID_ARGUMENT];
    if (a.name !== 'updyn' || !this.service) return [STATUS.NOT_FOUND];
    const svc = this.service;
    switch (a.action) {
      case 'start': case 'restart': case 'reload': svc.running = true; break;
      case 'stop': svc.running = false; break;
      case 'enable': svc.enabled = true; break;
      case 'disable': svc.enabled = false; break;
      default: return [STATUS.INVALID_ARGUMENT];
    }
    return [STATUS.OK];
  }

  /**
   * cgi-io main_exec (openwrt/cgi-io main.c): the session needs cgi-io "exec"
   * (read), then "exec" on the whole command line or on the executable; an
   * unknown executable is 404. Answers the HTTP status and stdout.
   */
  cgiExec(form: URLSearchParams): { status: number; body: string } {
    const sid = form.get('sessionid') ?? '';
    const command = unescapeCommand(form.get('command') ?? '');
    const session = this.sessions.get(sid) ?? { groups: {}, grants: [] };
    const answer = (status: number, body = '') => {
      this.cgiExecs.push({ command, status });
      return { status, body };
    };
    if (!allowed(session, 'cgi-io', 'exec', 'read')) return answer(403, 'Exec permission denied');
    const exe = command.split(' ')[0] ?? '';
    const outputs: Record<string, () => string> = {
      '/usr/bin/updyn status --json': () => this.statusJson,
      '/sbin/logread -e updyn': () => this.log,
    };
    if (!['/usr/bin/updyn', '/sbin/logread', '/etc/init.d/updyn'].includes(exe)) return answer(404, 'Executable not found');
    if (!allowed(session, 'file', command, 'exec') && !allowed(session, 'file', exe, 'exec')) return answer(403, 'Access to command denied by ACL');
    return answer(200, outputs[command]?.() ?? '');
  }
}

/** cgi-io parse_command: arguments split at unescaped white space, a backslash escapes the next character. */
export function unescapeCommand(s: string): string {
  const args: string[] = [];
  let cur = '';
  let esc = false;
  let any = false;
  for (const c of s.trim()) {
    if (esc) { cur += c; esc = false; any = true; }
    else if (c === '\\') esc = true;
    else if (/\s/.test(c)) { if (any) args.push(cur); cur = ''; any = false; }
    else { cur += c; any = true; }
  }
  if (any) args.push(cur);
  return args.join(' ');
}

/** rpcd's rpc_canonicalize_path: collapse //, /./ and /x/../, drop a trailing slash. */
export function canonical(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}
