// A full reading of the kernel's links and addresses over a socket of its own.
// The dump never shares a socket with the event subscription: the netlink
// package assembles multipart replies assuming nothing else arrives between
// their parts, and a notification landing mid-dump would break the reply.
import type { NetlinkMessage, NetlinkSocket } from 'netlink';
import type { DeviceSnapshot } from '../types';
import type { NetlinkModule } from './netlink-module';
import { decodeAddress, decodeLink, NLM_F_DUMP_INTR, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK } from './nlmsg';
import { LinkTable } from './table';

const NLM_F_DUMP = 0x300;
const DUMP_TIMEOUT_MS = 5000;
/** a dump interrupted by a concurrent change is retried at once, this many times */
const INTERRUPTED_RETRIES = 5;

export interface Dump {
  done: Promise<LinkTable>;
  /** Stops the dump now (its promise rejects) and releases the socket. */
  cancel(): void;
}

/** Starts a dump; throws at once when no socket can be opened. */
export function dumpKernel(nl: NetlinkModule): Dump {
  const sock = nl.createNetlink(nl.Protocol.ROUTE);
  // An 'error' without a listener would throw inside the addon's callback, which aborts the process.
  sock.on('error', () => undefined);
  let stop: (e: Error) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
    timer = setTimeout(() => reject(new Error(`no dump answer within ${DUMP_TIMEOUT_MS} ms`)), DUMP_TIMEOUT_MS);
  });
  stopped.catch(() => undefined);
  const run = async (): Promise<LinkTable> => {
    for (let attempt = 1; ; attempt++) {
      const links = await Promise.race([request(sock, RTM_GETLINK, Buffer.alloc(16)), stopped]);
      const addrs = await Promise.race([request(sock, RTM_GETADDR, Buffer.alloc(8)), stopped]);
      if (![...links, ...addrs].some((m) => m.flags & NLM_F_DUMP_INTR)) return build(nl, links, addrs);
      if (attempt > INTERRUPTED_RETRIES) throw new Error('the kernel kept interrupting the dump (changes too frequent)');
    }
  };
  const done = run().finally(() => {
    clearTimeout(timer);
    sock.close();
  });
  return { done, cancel: () => stop(new Error('dump cancelled')) };
}

function request(sock: NetlinkSocket, type: number, payload: Buffer): Promise<NetlinkMessage[]> {
  return sock.request(type, payload, { flags: NLM_F_DUMP }).then(([msgs]) => msgs);
}

function build(nl: NetlinkModule, links: NetlinkMessage[], addrs: NetlinkMessage[]): LinkTable {
  const table = new LinkTable();
  const now = performance.now();
  for (const m of links) {
    if (m.type !== RTM_NEWLINK) continue;
    const link = decodeLink(nl.rt.parseLinkMessage(m.data));
    if (link) table.setLink(link);
  }
  for (const m of addrs) {
    if (m.type !== RTM_NEWADDR) continue;
    const a = decodeAddress(nl.rt.parseAddressMessage(m.data), now);
    if (a) table.setAddress(a, true);
  }
  return table;
}

/** The devices' snapshots from one dump (`updyn once`). */
export async function readNetlink(nl: NetlinkModule, devices: string[]): Promise<Map<string, DeviceSnapshot>> {
  const table = await dumpKernel(nl).done;
  const now = performance.now();
  return new Map(devices.map((d) => [d, table.snapshot(d, now)] as const));
}
