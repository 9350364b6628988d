// `updyn once`: one pass for cron. Detects each enabled service's addresses,
// lets the same engine as the daemon decide against the saved state, sends what
// it allows, saves the state and status.json. Exit 1 while any record ends the
// run rejected or in trouble.
import type { CommonArgs } from './argv';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './argv';
import type { Clock } from '../types';
import { familiesOf } from '../types';
import { systemClock } from '../lib/clock';
import { announceWarnings, logFor, readConfig } from './boot';
import { checkipWith, devicesFor, makeLookup, makeSender } from './wire';
import { readDevices } from '../detect/open';
import { detectOnce } from '../detect/monitor';
import { RecordBook } from '../engine/book';
import { Updater } from '../engine/loop';
import { detectedLine, noAddressLine, recordLabel } from '../engine/messages';
import { StateStore, recordCount } from '../output/state-file';
import { buildStatus, writeStatus } from '../output/status-file';
import { takeLock } from './exclusive';
import type { Config, Log, ServiceConfig } from '../types';

export async function once(args: CommonArgs, clock: Clock = systemClock): Promise<number> {
  const loaded = await readConfig(args.config, process.stderr);
  if (!loaded.ok) return EXIT_USAGE;
  const config = loaded.value;
  const log = logFor(config);
  announceWarnings(config, log);
  const enabled = config.services.filter((s) => s.enabled);
  if (enabled.length === 0) {
    log.warn('no service is enabled; nothing to do');
    return EXIT_OK;
  }
  // the pass sends for the state directory: nobody else may meanwhile (a dry run sends nothing)
  const locked = args.dryRun ? null : await takeLock('once', config.global.state_dir, log, { force: args.force });
  if (typeof locked === 'number') return locked;
  try {
    return await pass(args, clock, config, log, enabled);
  } finally {
    await locked?.release();
  }
}

async function pass(args: CommonArgs, clock: Clock, config: Config, log: Log, enabled: ServiceConfig[]): Promise<number> {
  const startedAt = clock.wall();
  const store = new StateStore(config.global.state_dir, log, clock);
  store.configure(config.services.map((s) => s.name), recordCount(config));
  const book = new RecordBook(clock);
  const runStart = clock.now();
  book.reconcile(config.services, await store.load());

  const devices = devicesFor(config, args.devices);
  const needed = enabled.filter((s) => s.ip_source !== 'checkip').map((s) => devices.get(s.name) ?? '');
  const { kind, snapshots } = await readDevices([...new Set(needed.filter(Boolean))]);
  log.debug(`addresses read through ${kind}`);

  let detectionFailed = false;
  for (const s of enabled) {
    const device = devices.get(s.name) ?? '';
    for (const family of familiesOf(s)) {
      const entries = book.of(s.name, family);
      const previous = entries[0]?.machine.memory.registered ?? null;
      const r = await detectOnce(s, family, device, snapshots.get(device) ?? null, previous, checkipWith);
      for (const e of entries) {
        if (!r.ok) {
          log.warn(noAddressLine(e, r.error));
          continue;
        }
        e.machine.observe(r.value.address, r.value.source);
        log.info(detectedLine(e, r.value));
        if (args.force) e.machine.force();
      }
      if (!r.ok) detectionFailed = true;
    }
  }

  // Without saved state the next run knows nothing of this one and sends again:
  // cron every minute would become a request a minute. So the state must be
  // writable before anything goes out.
  const due = [...book.entries.values()].some((e) => e.machine.decide(clock.now()).kind === 'send');
  if (due && !args.dryRun && !(await store.save(() => book.persisted()))) {
    log.error('once: nothing sent: the state cannot be saved, so every run would send again; fix state_dir');
    return EXIT_FAILED;
  }

  const services = new Map(config.services.map((s) => [s.name, s]));
  const updater = new Updater({
    book,
    clock,
    log,
    send: makeSender(() => services),
    lookup: makeLookup(() => services),
    changed: () => undefined,
    beforeSend: () => store.save(() => book.persisted()),
    dryRun: args.dryRun,
  });
  updater.kick();
  await updater.idle();
  updater.close();

  if (!args.dryRun) {
    await store.save(() => book.persisted());
    const status = buildStatus({ book, services: config.services, devices, clock, startedAt });
    const w = await store.beside(() => writeStatus(config.global.state_dir, status));
    if (!w.ok) log.warn(`status: ${w.error}`);
  }

  const failing = [...book.entries.values()].filter((e) => e.machine.memory.rejected || e.machine.memory.trouble);
  // exit 1 always says why: a record that stays rejected or in trouble from an earlier run said nothing yet
  for (const e of failing) {
    const m = e.machine.memory;
    if (m.lastAttemptAt !== null && m.lastAttemptAt >= runStart) continue;
    const why = m.rejected ? `rejected by provider (${m.rejected.message})` : `provider trouble (${m.trouble?.message ?? ''})`;
    log.warn(`${recordLabel(e)}: still ${why} from an earlier run; nothing sent`);
  }
  if (failing.length > 0) return EXIT_FAILED;
  return detectionFailed ? EXIT_FAILED : EXIT_OK;
}
