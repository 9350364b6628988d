// The address watcher on rtnetlink: one dump, then the kernel's own events.
// Whenever the events may have missed something (receive buffer overflow,
// an undecodable message, a dead socket) it re-reads everything instead of
// guessing. Emits are coalesced per device within one turn of the event loop
// (setImmediate), never delayed by a timer: the first change of a burst
// goes out at once, and a storm costs one emit per loop turn, not per message.
import type { NetlinkMessage, NetlinkSocket } from 'netlink';
import { TypedEmitter } from 'tiny-typed-emitter';
import type { DeviceSnapshot } from '../types';
import { ChangeTracker, WarningGate } from './changes';
import type { NetlinkModule } from './netlink-module';
import { dumpKernel, type Dump } from './nldump';
import { decodeAddress, decodeLink, linkIndex, RTM_DELADDR, RTM_DELLINK, RTM_NEWADDR, RTM_NEWLINK } from './nlmsg';
import { LinkTable } from './table';
import type { AddressWatcher, WatcherEvents } from './watcher';

export { readNetlink } from './nldump';

/** RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR */
const GROUPS = [1, 5, 9];
const NLM_F_MULTI = 0x2;
/** asked of SO_RCVBUF (the kernel caps it at net.core.rmem_max): room for a burst before ENOBUFS */
const RECV_BUFFER_BYTES = 1 << 20;
/** events kept while a dump runs; past this they are dropped and the dump is done again */
const MAX_PENDING = 4096;
/** dumps in a row before pausing (a storm that overflows every dump, or refresh() calls without end) */
const MAX_ROUNDS = 5;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 30_000;

export class NetlinkWatcher extends TypedEmitter<WatcherEvents> implements AddressWatcher {
  readonly kind = 'netlink' as const;
  private phase: 'new' | 'started' | 'closed' = 'new';
  private table = new LinkTable();
  private readonly tracker = new ChangeTracker();
  private wanted: string[];
  /** set by the first dump: the view every later change is measured against */
  private baselined = false;
  private sock: NetlinkSocket | null = null;
  /** events that arrived while a dump runs, replayed on top of it; null when no dump runs */
  private pending: NetlinkMessage[] | null = null;
  private lostWhileDumping = false;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private dump: Dump | null = null;
  private readonly dirty = new Set<string>();
  /** devices that came up since the last flush: a down+up inside one turn is still news */
  private readonly cameUp = new Set<string>();
  private flushTask: NodeJS.Immediate | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = RETRY_MIN_MS;
  /** failed heal attempts in a row */
  private failures = 0;
  private readonly gate = new WarningGate((text) => this.emit('warning', text));

  constructor(
    private readonly nl: NetlinkModule,
    devices: string[],
  ) {
    super();
    this.wanted = [...devices];
  }

  async start(): Promise<void> {
    if (this.phase !== 'new') throw new Error('watcher already started');
    this.phase = 'started';
    this.openSocket();
    await this.resync();
  }

  watch(devices: string[]): void {
    this.wanted = [...devices];
    if (this.baselined) this.tracker.setWatched(this.wanted, (n) => this.key(n));
  }

  snapshot(device: string): DeviceSnapshot {
    return this.table.snapshot(device, performance.now());
  }

  refresh(): Promise<void> {
    return this.heal('re-reading addresses failed');
  }

  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    if (this.flushTask) clearImmediate(this.flushTask);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.flushTask = this.retryTimer = null;
    this.dump?.cancel();
    this.dropSocket();
    this.pending = null;
    this.dirty.clear();
  }

  // -------------------------------------------------------------------------
  // socket

  private openSocket(): void {
    // Referenced: while started, the process lives for these events.
    const sock = this.nl.createNetlink(this.nl.Protocol.ROUTE, {
      ref: true,
      recvBufferSize: RECV_BUFFER_BYTES,
      sendBufferSize: 0, // keep the default
    });
    // Every listener is guarded: an exception thrown back into the addon's
    // callback aborts the whole process.
    sock.on('message', (msgs) => this.onMessages(sock, msgs));
    sock.on('error', (e) => this.onSocketError(sock, e));
    sock.on('close', () => sock === this.sock && this.reopen('the netlink socket was closed'));
    try {
      for (const g of GROUPS) sock.addMembership(g);
    } catch (e) {
      sock.removeAllListeners();
      sock.close();
      throw e;
    }
    this.sock = sock;
  }

  /**
   * Closes the event socket. A dump running now cannot be completed by
   * replaying events any more (some were never read), so it is redone.
   */
  private dropSocket(): void {
    const sock = this.sock;
    this.sock = null;
    if (!sock) return;
    if (this.pending) this.lostWhileDumping = true;
    sock.removeAllListeners();
    sock.on('error', () => undefined);
    try {
      sock.close();
    } catch {
      // already closed by the addon after a poll error
    }
  }

  private onSocketError(sock: NetlinkSocket, e: Error & { code?: string }): void {
    if (sock !== this.sock || this.phase !== 'started') return;
    // ENOBUFS: the kernel dropped events for us. The socket would go on, but
    // what is still queued in it is older than the loss and must not be
    // replayed over the next dump: start over on an empty socket.
    // EBADF with syscall uv_poll is libuv's word for POLLERR on a netlink
    // socket, whose only pending error is the same overflow (build/addon.mjs).
    const overflow = e.code === 'ENOBUFS' || (e.code === 'EBADF' && (e as { syscall?: string }).syscall === 'uv_poll');
    this.reopen(overflow ? 'kernel address events were lost (receive buffer overflow)' : `netlink socket error (${e.code ?? e.message})`);
  }

  /** The addon may also stop reading after an error without saying so: a new socket, then a fresh dump. */
  private reopen(reason: string): void {
    if (this.phase !== 'started') return;
    this.dropSocket();
    this.recover(reason);
  }

  // -------------------------------------------------------------------------
  // events

  private onMessages(sock: NetlinkSocket, msgs: NetlinkMessage[]): void {
    if (sock !== this.sock || this.phase !== 'started') return;
    try {
      if (this.pending) {
        if (this.pending.length + msgs.length > MAX_PENDING) {
          this.pending = [];
          this.lostWhileDumping = true;
        } else if (!this.lostWhileDumping) {
          this.pending.push(...msgs);
        }
        return;
      }
      const now = performance.now();
      for (const m of msgs) this.apply(this.table, m, now);
      this.scheduleFlush();
    } catch (e) {
      this.recover(`a kernel address event could not be decoded (${(e as Error).message})`);
    }
  }

  /** One event into `table`; throws on a message it cannot make sense of. */
  private apply(table: LinkTable, m: NetlinkMessage, now: number): void {
    // Multipart messages are late parts of a dump (ours timed out), never events.
    if (m.flags & NLM_F_MULTI) return;
    let touched: string[];
    switch (m.type) {
      case RTM_NEWLINK: {
        const msg = this.nl.rt.parseLinkMessage(m.data);
        const link = decodeLink(msg);
        if (!link) {
          if (linkIndex(msg) !== null) throw new Error('link message without a name');
          return;
        }
        if (link.up && !table.link(link.index)?.up && this.tracker.isWatched(link.name)) this.cameUp.add(link.name);
        touched = table.setLink(link);
        break;
      }
      case RTM_DELLINK: {
        const index = linkIndex(this.nl.rt.parseLinkMessage(m.data));
        touched = index === null ? [] : table.deleteLink(index);
        break;
      }
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        const a = decodeAddress(this.nl.rt.parseAddressMessage(m.data), now);
        if (!a) return;
        touched = m.type === RTM_NEWADDR ? table.setAddress(a) : table.deleteAddress(a.index, a.family, a.key);
        break;
      }
      default:
        return;
    }
    for (const name of touched) if (this.tracker.isWatched(name)) this.dirty.add(name);
  }

  private scheduleFlush(): void {
    if (this.flushTask || this.dirty.size === 0) return;
    this.flushTask = setImmediate(() => {
      this.flushTask = null;
      this.flush();
    });
  }

  private flush(): void {
    const now = performance.now();
    const names = [...this.dirty];
    this.dirty.clear();
    for (const name of names) {
      const changed = this.tracker.update(name, this.table.viewKey(name, now));
      if (changed || this.cameUp.has(name)) this.emit('change', this.table.snapshot(name, now));
    }
    this.cameUp.clear();
  }

  private key(name: string): string {
    return this.table.viewKey(name, performance.now());
  }

  // -------------------------------------------------------------------------
  // dumps and recovery

  /** Warn once, then re-read everything (with backoff while that fails). */
  private recover(reason: string): void {
    if (this.phase !== 'started') return;
    this.gate.warn(`${reason}; re-reading all addresses`);
    void this.heal(reason);
  }

  /** One warning when an attempt fails, one when it works again: not one per retry. */
  private async heal(reason: string): Promise<void> {
    if (this.phase !== 'started') return;
    try {
      if (!this.sock) this.openSocket();
      await this.resync();
      if (this.failures > 0) this.gate.warn(`re-read all addresses after ${this.failures} failed attempts`);
      this.failures = 0;
      this.retryDelay = RETRY_MIN_MS;
    } catch (e) {
      if (this.phase !== 'started') return;
      if (this.failures++ === 0) {
        this.gate.warn(`${reason}: ${(e as Error).message}; retrying (every ${RETRY_MAX_MS / 1000} s at most)`);
      }
      const delay = this.retryDelay;
      this.retryDelay = Math.min(delay * 2, RETRY_MAX_MS);
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.heal(reason);
      }, delay);
    }
  }

  /** A fresh dump replaces the table; callers during a run share it, and get one more run after it. */
  private resync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = this.syncRounds().finally(() => {
      this.syncing = null;
      this.pending = null;
    });
    return this.syncing;
  }

  private async syncRounds(): Promise<void> {
    for (let round = 1; ; round++) {
      this.syncAgain = false;
      this.pending = [];
      this.lostWhileDumping = false;
      this.dump = dumpKernel(this.nl);
      let table: LinkTable;
      try {
        table = await this.dump.done;
      } finally {
        this.dump = null;
      }
      if (this.phase !== 'started') return;
      if (!this.lostWhileDumping) {
        this.install(table, this.pending);
        if (!this.syncAgain) return;
      }
      if (round >= MAX_ROUNDS) throw new Error(`the kernel's state did not settle over ${MAX_ROUNDS} dumps`);
    }
  }

  /** Swap in a dumped table with the events received meanwhile replayed on top, and emit what differs. */
  private install(table: LinkTable, events: NetlinkMessage[]): void {
    const now = performance.now();
    for (const m of events) this.apply(table, m, now);
    this.table = table;
    this.pending = null;
    if (!this.baselined) {
      // the initial view is read with snapshot(), not announced
      this.baselined = true;
      this.tracker.setWatched(this.wanted, (n) => this.key(n));
      this.dirty.clear();
      this.cameUp.clear();
      return;
    }
    for (const name of this.tracker.watched()) this.dirty.add(name);
    if (this.flushTask) clearImmediate(this.flushTask);
    this.flushTask = null;
    this.flush();
  }
}
