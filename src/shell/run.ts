// `updyn run`: wires detect -> engine -> provider and handles signals. Thin on
// purpose: rules live in engine/, detection in detect/ and monitor.ts.
import type { CommonArgs } from './argv';
import { EXIT_OK, EXIT_USAGE } from './argv';
import type { Clock, Config, Detected, Family, Log, ServiceConfig } from '../types';
import { recordType } from '../types';
import { systemClock } from '../lib/clock';
import { coalesced } from '../lib/serial';
import { announceWarnings, logFor, readConfig } from './boot';
import { checkipWith, devicesFor, makeLookup, makeSender } from './wire';
import { createWatcher } from '../detect/open';
import type { AddressWatcher } from '../detect/watcher';
import { listenUbus } from '../detect/ubus';
import type { UbusListener } from '../detect/ubus';
import { AddressMonitor } from '../detect/monitor';
import { RecordBook } from '../engine/book';
import { Updater } from '../engine/loop';
import { detectedLine } from '../engine/messages';
import { StateStore, recordCount } from '../output/state-file';
import { buildStatus, writeStatus } from '../output/status-file';
import { takeLock } from './exclusive';
import type { Lock } from '../lib/lock';

export async function run(args: CommonArgs, clock: Clock = systemClock): Promise<number> {
  const loaded = await readConfig(args.config, process.stderr);
  if (!loaded.ok) return EXIT_USAGE;
  const daemon = new Daemon(args, loaded.value, clock);
  return daemon.start();
}

class Daemon {
  private log: Log;
  private services = new Map<string, ServiceConfig>();
  private devices = new Map<string, string>();
  private readonly book: RecordBook;
  private store: StateStore;
  private watcher!: AddressWatcher;
  private ubus: UbusListener | null = null;
  private monitor!: AddressMonitor;
  private updater!: Updater;
  private readonly startedAt: number;
  private stopping = false;
  /** Bursts of changes coalesce into one write of state and status, never two writes at once. */
  private readonly write = coalesced(() => this.writeFiles());
  private statusFailing = false;
  private exit!: (code: number) => void;
  private lock: Lock | null = null;
  /** set once the monitor and updater exist: signals before that are handled at the end of start() */
  private started = false;

  constructor(
    private readonly args: CommonArgs,
    private config: Config,
    private readonly clock: Clock,
  ) {
    this.log = logFor(config);
    this.book = new RecordBook(clock);
    this.store = new StateStore(config.global.state_dir, this.log, clock);
    this.startedAt = clock.wall();
  }

  async start(): Promise<number> {
    const { log, config } = this;
    announceWarnings(config, log);
    // Signals first: a `once` signals the pid in the lock, and SIGUSR2's default would end us.
    const done = new Promise<number>((resolve) => (this.exit = resolve));
    this.installSignals();
    if (!this.args.dryRun) {
      const locked = await takeLock('run', config.global.state_dir, log, { stopping: () => this.stopping });
      if (typeof locked === 'number') return locked;
      this.lock = locked;
    }
    if (this.stopping) {
      await this.lock?.release();
      return EXIT_OK;
    }
    this.apply(config);
    this.store.configure(config.services.map((s) => s.name), recordCount(config));
    this.book.reconcile(config.services, await this.store.load());

    this.watcher = await createWatcher({
      devices: [...new Set(this.devices.values())].filter(Boolean),
      pollIntervalMs: pollIntervalMs(),
      onFallback: (reason) => log.warn(`netlink unavailable (${reason}); polling addresses instead`),
    });
    this.watcher.on('warning', (m) => log.warn(`detect: ${m}`));
    if (this.watcher.kind === 'poll') {
      // On OpenWrt, netifd's notifications wake the poll at once (ifup, ifdown
      // and a change inside a live interface); elsewhere there is no ubus and this is null.
      this.ubus = listenUbus({ onEvent: () => void this.watcher.refresh(), onWarning: (m) => log.warn(`detect: ${m}`) });
      if (this.ubus) log.info("detect: following netifd's notifications (ubus subscribe network.interface) between polls");
    }

    this.monitor = new AddressMonitor(this.watcher, checkipWith, undefined, undefined, wakeIntervalMs());
    this.monitor.on('address', (service, family, d) => this.onAddress(service, family, d));
    this.monitor.on('warning', (service, family, m) => log.warn(`${service} ${recordType(family)}: ${m}`));

    this.updater = new Updater({
      book: this.book,
      clock: this.clock,
      log,
      send: makeSender(() => this.services),
      lookup: makeLookup(() => this.services),
      changed: () => this.persistSoon(),
      beforeSend: () => this.store.save(() => this.book.persisted()),
      dryRun: this.args.dryRun,
    });

    const enabled = config.services.filter((s) => s.enabled).length;
    log.info(`updyn started: ${enabled} service(s), ${this.book.entries.size} record(s), addresses through ${this.watcher.kind}${this.args.dryRun ? ', dry run' : ''}`);
    this.monitor.configure(config.services, this.devices);
    this.updater.kick();
    this.persistSoon();
    this.started = true;
    if (this.stopping) {
      this.stopping = false;
      void this.stop('SIGTERM');
    }
    return done;
  }

  private apply(config: Config): void {
    this.config = config;
    this.services = new Map(config.services.map((s) => [s.name, s]));
    this.devices = devicesFor(config, this.args.devices);
  }

  private onAddress(service: string, family: Family, d: Detected): void {
    for (const e of this.book.of(service, family)) {
      if (e.machine.observe(d.address, d.source)) this.log.info(detectedLine(e, d));
    }
    this.updater.kick();
    this.persistSoon();
  }

  private installSignals(): void {
    process.on('SIGHUP', () => this.started && void this.reload());
    process.on('SIGUSR1', () => {
      if (!this.started) return; // the start reads and decides everything anyway
      this.log.info('SIGUSR1: forcing an update of every record');
      for (const e of this.book.entries.values()) e.machine.force();
      this.updater.kick();
    });
    process.on('SIGUSR2', () => {
      if (!this.started) return;
      this.log.info('SIGUSR2: re-checking addresses');
      void this.monitor.recheck();
    });
    process.on('SIGTERM', () => void this.stop('SIGTERM'));
    process.on('SIGINT', () => void this.stop('SIGINT'));
  }

  private async reload(): Promise<void> {
    if (this.stopping) return;
    const r = await readConfig(this.args.config, process.stderr);
    if (!r.ok) {
      this.log.error('SIGHUP: the new config has errors (above); keeping the running config');
      return;
    }
    const config = r.value;
    this.log.setLevel(config.global.log_level);
    announceWarnings(config, this.log);
    this.apply(config);
    this.store.configure(config.services.map((s) => s.name), recordCount(config));
    const { added, removed } = this.book.reconcile(config.services, this.store.records());
    this.log.info(`SIGHUP: config reloaded (${added.length} record(s) added, ${removed.length} removed)`);
    this.monitor.configure(config.services, this.devices);
    for (const e of this.book.entries.values()) {
      const d = this.monitor.current(e.service, e.family);
      if (d) e.machine.observe(d.address, d.source);
    }
    this.updater.kick();
    this.persistSoon();
  }

  private async stop(signal: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.started) return; // start() stops when it gets there
    this.log.info(`${signal}: stopping${this.updater.inFlight() ? ' after the request in flight' : ''}`);
    this.monitor.close();
    this.ubus?.close();
    this.watcher.close();
    this.updater.close();
    await this.updater.idle();
    // waits for a write in progress, then writes what is in memory now
    await this.write();
    await this.lock?.release();
    this.log.info('stopped');
    this.exit(EXIT_OK);
  }

  /** After the current turn of the event loop, so that a burst of changes costs one write. */
  private persistSoon(): void {
    setImmediate(() => void this.write());
  }

  private async writeFiles(): Promise<void> {
    if (this.args.dryRun) return;
    await this.store.save(() => this.book.persisted());
    const status = buildStatus({
      book: this.book,
      services: this.config.services,
      devices: this.devices,
      clock: this.clock,
      startedAt: this.startedAt,
      detector: this.watcher?.kind,
    });
    const w = await this.store.beside(() => writeStatus(this.config.global.state_dir, status));
    if (!w.ok && !this.statusFailing) this.log.warn(`status: ${w.error}`);
    this.statusFailing = !w.ok;
  }
}

/** Wake-ups by signal or reload ask checkip at most this often: UPDYN_WAKE_INTERVAL_MS (0..10000, for tests), default 10 s. */
function wakeIntervalMs(): number | undefined {
  const ms = Number(process.env.UPDYN_WAKE_INTERVAL_MS);
  return process.env.UPDYN_WAKE_INTERVAL_MS && Number.isInteger(ms) && ms >= 0 && ms <= 10_000 ? ms : undefined;
}

/** The fallback's polling period: UPDYN_POLL_INTERVAL seconds (1..3600), default 30. */
function pollIntervalMs(): number {
  const s = Number(process.env.UPDYN_POLL_INTERVAL);
  return Number.isInteger(s) && s >= 1 && s <= 3600 ? s * 1000 : 30_000;
}
