// `updyn run`: wires detect -> engine -> provider and handles signals. Thin on
// purpose: rules live in engine/, detection in detect/ and monitor.ts.
import type { CommonArgs } from './cli';
import { EXIT_OK, EXIT_USAGE } from './cli';
import type { Config, Family, ServiceConfig } from './types';
import { recordType } from './types';
import type { Log } from './log';
import { announceWarnings, checkipWith, devicesFor, logFor, readConfig } from './setup';
import { createWatcher } from './detect/watcher';
import type { AddressWatcher } from './detect/watcher';
import { listenUbus } from './detect/ubus';
import type { UbusListener } from './detect/ubus';
import type { Detected } from './monitor';
import { AddressMonitor, detectedLine } from './monitor';
import { RecordBook } from './engine/book';
import type { Clock } from './engine/persist';
import { systemClock } from './engine/persist';
import { StateStore } from './engine/state';
import { buildStatus, writeStatus } from './engine/status';
import { Updater } from './updater';
import { makeSender } from './send';
import { checkDns, needsDnsCheck } from './seed';

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
  private writing: Promise<void> | null = null;
  private dirty = false;
  private statusFailing = false;
  private readonly checkingDns = new Set<string>();
  /** The address DNS was last asked about, per record: once per address is enough. */
  private readonly dnsAsked = new Map<string, string>();
  private exit!: (code: number) => void;

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
    this.apply(config);
    this.store.configure(config.services.map((s) => s.name));
    this.book.reconcile(config.services, await this.store.load());

    this.watcher = await createWatcher({
      devices: [...new Set(this.devices.values())].filter(Boolean),
      pollIntervalMs: pollIntervalMs(),
      onFallback: (reason) => log.warn(`netlink unavailable (${reason}); polling addresses instead`),
    });
    this.watcher.on('warning', (m) => log.warn(`detect: ${m}`));
    if (this.watcher.kind === 'poll') {
      // On OpenWrt, netifd's interface events wake the poll at once (a PPPoE
      // reconnect is an ifup); elsewhere there is no ubus and this is null.
      this.ubus = listenUbus({ onEvent: () => void this.watcher.refresh(), onWarning: (m) => log.warn(`detect: ${m}`) });
      if (this.ubus) log.info("detect: following netifd's interface events (ubus) between polls");
    }

    this.monitor = new AddressMonitor(this.watcher, checkipWith);
    this.monitor.on('address', (service, family, d) => this.onAddress(service, family, d));
    this.monitor.on('warning', (service, family, m) => log.warn(`${service} ${recordType(family)}: ${m}`));

    this.updater = new Updater({
      book: this.book,
      clock: this.clock,
      log,
      send: makeSender(() => this.services),
      changed: () => this.persistSoon(),
      beforeSend: () => this.store.save(this.book.persisted()),
      dryRun: this.args.dryRun,
    });

    const enabled = config.services.filter((s) => s.enabled).length;
    log.info(`updyn started: ${enabled} service(s), ${this.book.entries.size} record(s), addresses through ${this.watcher.kind}${this.args.dryRun ? ', dry run' : ''}`);
    this.monitor.configure(config.services, this.devices);
    this.updater.kick();
    this.persistSoon();

    return new Promise<number>((resolve) => {
      this.exit = resolve;
      this.installSignals();
    });
  }

  private apply(config: Config): void {
    this.config = config;
    this.services = new Map(config.services.map((s) => [s.name, s]));
    this.devices = devicesFor(config, this.args.devices);
  }

  private onAddress(service: string, family: Family, d: Detected): void {
    const svc = this.services.get(service);
    for (const e of this.book.of(service, family)) {
      if (this.checkingDns.has(e.id)) continue;
      if (needsDnsCheck(e, svc, d.address) && this.dnsAsked.get(e.id) !== d.address) {
        // the record learns the address only after DNS was asked, so nothing is sent meanwhile
        this.dnsAsked.set(e.id, d.address!);
        this.checkingDns.add(e.id);
        void checkDns(e, svc!, d.address!, this.clock, this.log).finally(() => {
          this.checkingDns.delete(e.id);
          const latest = this.monitor.current(service, family);
          if (latest) this.onAddress(service, family, latest);
        });
        continue;
      }
      if (e.machine.observe(d.address, d.source)) this.log.info(detectedLine(e, d));
    }
    this.updater.kick();
    this.persistSoon();
  }

  private installSignals(): void {
    process.on('SIGHUP', () => void this.reload());
    process.on('SIGUSR1', () => {
      this.log.info('SIGUSR1: forcing an update of every record');
      for (const e of this.book.entries.values()) e.machine.force();
      this.updater.kick();
    });
    process.on('SIGUSR2', () => {
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
    this.store.configure(config.services.map((s) => s.name));
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
    this.log.info(`${signal}: stopping${this.updater.inFlight() ? ' after the request in flight' : ''}`);
    this.monitor.close();
    this.ubus?.close();
    this.watcher.close();
    this.updater.close();
    await this.updater.idle();
    await this.flush();
    this.log.info('stopped');
    this.exit(EXIT_OK);
  }

  /** Coalesces bursts of changes into one write, never two writes at once. */
  private persistSoon(): void {
    this.dirty = true;
    if (this.writing) return;
    this.writing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.writeLoop())
      .finally(() => {
        this.writing = null;
      });
  }

  private async writeLoop(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      if (this.args.dryRun) continue;
      await this.store.save(this.book.persisted());
      const status = buildStatus({
        book: this.book,
        services: this.config.services,
        devices: this.devices,
        clock: this.clock,
        startedAt: this.startedAt,
        detector: this.watcher?.kind,
      });
      const w = await writeStatus(this.config.global.state_dir, status);
      if (!w.ok && !this.statusFailing) this.log.warn(`status: ${w.error}`);
      this.statusFailing = !w.ok;
    }
  }

  private async flush(): Promise<void> {
    this.dirty = true;
    while (this.writing) await this.writing;
    if (this.dirty) {
      this.persistSoon();
      await this.writing;
    }
  }
}

/** The fallback's polling period: UPDYN_POLL_INTERVAL seconds (1..3600), default 30. */
function pollIntervalMs(): number {
  const s = Number(process.env.UPDYN_POLL_INTERVAL);
  return Number.isInteger(s) && s >= 1 && s <= 3600 ? s * 1000 : 30_000;
}
