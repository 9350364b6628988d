// A stand-in for the netlink package, for the netlink watcher's own logic
// (coalescing, dumps racing events, recovery) where the real kernel cannot be
// made to misbehave on cue. Messages carry a token; the fake parse functions
// turn it back into the decoded object the real package would produce.
import { EventEmitter } from 'node:events';
import type { NetlinkMessage, rt } from 'netlink';
import { parseIPv4, parseIPv6 } from '../../src/lib/ip';
import type { NetlinkModule } from '../../src/detect/netlink-module';

const NEWLINK = 16;
const DELLINK = 17;
const NEWADDR = 20;
const DELADDR = 21;
const GETLINK = 18;
const MULTI = 0x2;

type Decoded = rt.LinkMessage | rt.AddressMessage | 'garbage';

export class FakeSocket extends EventEmitter {
  groups = new Set<number>();
  closed = false;
  constructor(private readonly kernel: FakeKernel) {
    super();
  }
  addMembership(g: number): void {
    this.groups.add(g);
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
  request(type: number): Promise<[NetlinkMessage[], object]> {
    return this.kernel.answerDump(type);
  }
}

export class FakeKernel {
  readonly sockets: FakeSocket[] = [];
  links = new Map<number, rt.LinkMessage>();
  addrs = new Map<string, rt.AddressMessage>();
  dumps = 0;
  /** the next dumps that fail */
  failDumps = 0;
  /** while set, address dumps wait for release() (with the state of when they were asked) */
  hold = false;
  private held: (() => void)[] = [];
  private readonly tokens: Decoded[] = [];

  readonly module = {
    Protocol: { ROUTE: 0 },
    createNetlink: () => {
      const s = new FakeSocket(this);
      this.sockets.push(s);
      return s;
    },
    rt: {
      parseLinkMessage: (b: Buffer) => this.decode(b) as rt.LinkMessage,
      parseAddressMessage: (b: Buffer) => this.decode(b) as rt.AddressMessage,
    },
  } as unknown as NetlinkModule;

  /** The event socket: the last one subscribed to groups and still open. */
  get subscribed(): FakeSocket[] {
    return this.sockets.filter((s) => s.groups.size > 0 && !s.closed);
  }

  setLink(index: number, ifname: string, up = true, notify = true): void {
    const m: rt.LinkMessage = { kind: 'link', data: { family: 0, index, flags: up ? { up: true, running: true } : {} }, attrs: { ifname } };
    this.links.set(index, m);
    if (notify) this.send(NEWLINK, m);
  }

  addAddress(index: number, address: string, notify = true): void {
    const m = addressMessage(index, address);
    this.addrs.set(`${index}/${address}`, m);
    if (notify) this.send(NEWADDR, m);
  }

  delAddress(index: number, address: string, notify = true): void {
    const m = this.addrs.get(`${index}/${address}`);
    this.addrs.delete(`${index}/${address}`);
    if (m && notify) this.send(DELADDR, m);
  }

  delLink(index: number): void {
    const m = this.links.get(index);
    this.links.delete(index);
    if (m) this.send(DELLINK, m);
  }

  /** A message that fails to parse. */
  garbage(): void {
    this.deliver({ type: NEWADDR, flags: 0, seq: 0, port: 0, data: this.token('garbage') });
  }

  /** A late part of some dump arriving as if it were an event. */
  lateDumpPart(index: number, address: string): void {
    this.deliver({ type: NEWADDR, flags: MULTI, seq: 7, port: 0, data: this.token(addressMessage(index, address)) });
  }

  enobufs(): void {
    for (const s of this.subscribed) s.emit('error', Object.assign(new Error('no buffer space'), { code: 'ENOBUFS' }));
  }

  release(): void {
    this.hold = false;
    for (const go of this.held.splice(0)) go();
  }

  answerDump(type: number): Promise<[NetlinkMessage[], object]> {
    this.dumps++;
    // the state when asked, like the kernel's (whatever happens before the answer is read)
    const items: Decoded[] = type === GETLINK ? [...this.links.values()] : [...this.addrs.values()];
    const t = type === GETLINK ? NEWLINK : NEWADDR;
    const wait = this.hold && type !== GETLINK;
    const answer = async (): Promise<[NetlinkMessage[], object]> => {
      if (wait) await new Promise<void>((res) => this.held.push(res));
      if (this.failDumps > 0) {
        this.failDumps--;
        throw new Error('dump refused');
      }
      return [items.map((x) => ({ type: t, flags: MULTI, seq: 1, port: 0, data: this.token(x) })), {}];
    };
    return answer();
  }

  private send(type: number, m: Decoded): void {
    this.deliver({ type, flags: 0, seq: 0, port: 0, data: this.token(m) });
  }

  private deliver(msg: NetlinkMessage): void {
    for (const s of this.subscribed) s.emit('message', [msg]);
  }

  private token(x: Decoded): Buffer {
    this.tokens.push(x);
    return Buffer.from(String(this.tokens.length - 1));
  }

  private decode(b: Buffer): Decoded {
    const x = this.tokens[Number(b.toString())];
    if (x === undefined || x === 'garbage') throw new Error('malformed attribute');
    return x;
  }
}

function addressMessage(index: number, address: string): rt.AddressMessage {
  const v6 = address.includes(':');
  const bytes = Buffer.from((v6 ? parseIPv6(address) : parseIPv4(address)) as Uint8Array);
  return {
    kind: 'address',
    data: { family: v6 ? 10 : 2, prefixlen: v6 ? 64 : 24, scope: 0, index, flags: {} },
    attrs: { address: bytes, flags: { permanent: true }, cacheInfo: { ifaPrefered: 0xffffffff, ifaValid: 0xffffffff } },
  };
}
