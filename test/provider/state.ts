// What the provider knows and remembers: accounts, DNS records, the request log, the modes each
// endpoint plays, and who is waiting for requests. No sockets here.
import { normalizeHost, parseIp } from './address';
import { parseMode } from './modes';
import { CloudflareState } from './cloudflare';
import type { Account, Auth, Endpoint, Family, Mode, ModeKind, RecordedRequest, RecordSet } from './types';

export const DEFAULT_ACCOUNT: Account = {
  user: 'login@example.com',
  token: 'f7f9c95662ebc538',
  hosts: ['example.zerigo.com', 'www.example.zerigo.com'],
};

/** Why a login failed, or the account it opened. */
export type Login = { ok: true; account: Account } | { ok: false; why: 'no-credentials' | 'bad-login' | 'disabled' };

interface Slot {
  mode: ModeKind;
  left?: number;
}

interface Waiter {
  n: number;
  filter: (r: RecordedRequest) => boolean;
  done: (rs: RecordedRequest[] | Error) => void;
}

export class ProviderState {
  /** Kept as one array for the provider's life (reset empties it), so a caller may hold on to it. */
  readonly requests: RecordedRequest[] = [];
  readonly records = new Map<string, RecordSet>();
  readonly cloudflare = new CloudflareState();
  private readonly slots = new Map<Endpoint, Slot>();
  private checkip: Partial<Record<Family, string>> = {};
  private readonly waiters = new Set<Waiter>();
  private seq = 0;

  constructor(
    private readonly accounts: readonly Account[],
    private readonly onRequest?: (r: RecordedRequest) => void,
  ) {}

  /** The next sequence number: taken when a request arrives, so seq follows arrival order. */
  nextSeq(): number {
    return ++this.seq;
  }

  login(auth: Auth | null): Login {
    if (auth === null) return { ok: false, why: 'no-credentials' };
    // Token compared exactly; the login (an e-mail address) as typed, since the protocol says nothing else.
    const account = this.accounts.find((a) => a.user === auth.user && a.token === auth.password);
    if (!account) return { ok: false, why: 'bad-login' };
    if (account.updatesEnabled === false) return { ok: false, why: 'disabled' };
    return { ok: true, account };
  }

  owns(account: Account, host: string): boolean {
    return account.hosts.some((h) => normalizeHost(h) === normalizeHost(host));
  }

  /** Sets a record, and says whether it changed. */
  setRecord(host: string, type: 'A' | 'AAAA', ip: string): boolean {
    const name = normalizeHost(host);
    const set = this.records.get(name) ?? {};
    const changed = set[type] !== ip;
    set[type] = ip;
    this.records.set(name, set);
    return changed;
  }

  getRecord(host: string): RecordSet | undefined {
    return this.records.get(normalizeHost(host));
  }

  setMode(endpoint: Endpoint, mode: Mode): void {
    const checked = parseMode(mode); // the same checks for in-process callers as for JSON ones
    if (!['update', 'dyndns2', 'custom', 'checkip', 'cloudflare', 'all'].includes(endpoint))
      throw new Error(`unknown endpoint ${JSON.stringify(endpoint)}`);
    const { times, ...kind } = checked;
    // 'all' back to normal means everything back to normal: the only way a test says "stop misbehaving".
    if (endpoint === 'all' && kind.kind === 'normal') this.slots.clear();
    else if (kind.kind === 'normal') this.slots.delete(endpoint);
    else this.slots.set(endpoint, times === undefined ? { mode: kind } : { mode: kind, left: times });
  }

  /** The mode that answers this request: the 'all' slot first, then the endpoint's; spends one-shot turns. */
  takeMode(endpoint: Exclude<Endpoint, 'all'>): ModeKind {
    for (const key of ['all', endpoint] as const) {
      const slot = this.slots.get(key);
      if (!slot) continue;
      if (slot.left !== undefined && --slot.left <= 0) this.slots.delete(key);
      return slot.mode;
    }
    return { kind: 'normal' };
  }

  setCheckipAnswer(family: Family, address: string | null): void {
    if (family !== 'ipv4' && family !== 'ipv6') throw new Error(`unknown family ${JSON.stringify(family)}`);
    if (address === null) {
      delete this.checkip[family];
      return;
    }
    const parsed = parseIp(address);
    if (!parsed) throw new Error(`checkip answer ${JSON.stringify(address)} is not an IP address`);
    this.checkip[family] = parsed.ip;
  }

  checkipAnswer(family: Family): string | undefined {
    return this.checkip[family];
  }

  record(r: RecordedRequest): void {
    this.requests.push(r);
    this.onRequest?.(r);
    for (const w of this.waiters) {
      const matching = this.requests.filter(w.filter);
      if (matching.length >= w.n) w.done(matching.slice(0, w.n));
    }
  }

  /** The first n requests (since the last reset) that pass the filter, once they have arrived. */
  waitForRequests(n: number, timeoutMs: number, filter: (r: RecordedRequest) => boolean = () => true) {
    return new Promise<RecordedRequest[]>((resolve, reject) => {
      const matching = this.requests.filter(filter);
      if (matching.length >= n) return resolve(matching.slice(0, n));
      const waiter: Waiter = {
        n,
        filter,
        done: (rs) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          if (rs instanceof Error) reject(rs);
          else resolve(rs);
        },
      };
      const timer = setTimeout(() => {
        const got = this.requests.filter(filter);
        waiter.done(new Error(`waitForRequests: expected ${n} matching request(s) within ${timeoutMs} ms, got ${got.length}${describeLog(this.requests)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  reset(): void {
    this.requests.length = 0;
    this.records.clear();
    this.cloudflare.reset();
    this.slots.clear();
    this.checkip = {};
  }

  /** Fails every pending wait: the provider is going away and nothing more will arrive. */
  close(): void {
    for (const w of this.waiters) w.done(new Error('waitForRequests: the provider stopped'));
  }
}

/** The request log in a few lines, for an error message that has to explain a wait that failed. */
export function describeLog(requests: readonly RecordedRequest[]): string {
  if (requests.length === 0) return '; no request at all';
  const lines = requests.slice(-10).map((r) => `\n  #${r.seq} ${r.endpoint} ${r.method} ${r.path} from ${r.remoteAddress} -> ${r.status}`);
  return `; the last ${lines.length} of ${requests.length} request(s):${lines.join('')}`;
}
