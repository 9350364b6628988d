// What `run` and `once` do about the state directory's lock (lock.ts): two
// processes never send for one state directory.
//  - `once` while the daemon holds it hands the pass to the daemon (SIGUSR2, or
//    SIGUSR1 for --force) and exits 0: cron next to the daemon is then harmless.
//  - `once` while another `once` holds it waits for it (bounded), then runs.
//  - `run` while a `once` holds it waits for the pass to end; while another
//    `run` holds it, it refuses to start (exit 1).
//  - where no lock can be made (read-only state directory), it says so and
//    goes on: `once` then sends nothing anyway (it cannot save its state).
import type { Log } from '../types';
import type { Lock, LockCommand } from '../lib/lock';
import { acquireLock, lockPath } from '../lib/lock';
import { EXIT_FAILED, EXIT_OK } from './argv';

/** How long `once` waits for another `once`'s pass. */
const ONCE_WAIT_MS = 120_000;
const POLL_MS = 100;

export interface LockOptions {
  /** once --force: the daemon is asked for a forced update (SIGUSR1) */
  force?: boolean;
  /** run: stop waiting (SIGTERM while waiting for a once) */
  stopping?: () => boolean;
}

/** The lock, null to go on without one, or the exit code to end with. */
export async function takeLock(command: LockCommand, stateDir: string, log: Log, opts: LockOptions = {}): Promise<Lock | null | number> {
  const started = Date.now();
  let waitingFor = 0;
  for (;;) {
    const r = await acquireLock(stateDir, command);
    if (r.kind === 'locked') return r.lock;
    if (r.kind === 'failed') {
      log.warn(`lock: ${r.error}; not protected against a second updyn on this state directory`);
      return null;
    }
    const { pid, command: other } = r.holder;
    if (command === 'once' && other === 'run') return handOver(pid, stateDir, log, opts.force === true);
    if (command === 'run' && other === 'run') {
      log.error(`run: updyn run (pid ${pid}) already serves ${stateDir} (${lockPath(stateDir)}); not starting a second daemon`);
      return EXIT_FAILED;
    }
    if (waitingFor !== pid) log.info(`${command}: waiting for updyn once (pid ${pid}) to finish with ${stateDir}`);
    waitingFor = pid;
    if (opts.stopping?.()) return EXIT_OK;
    if (command === 'once' && Date.now() - started > ONCE_WAIT_MS) {
      log.error(`once: updyn once (pid ${pid}) still holds ${lockPath(stateDir)} after ${ONCE_WAIT_MS / 1000} s; nothing sent`);
      return EXIT_FAILED;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function handOver(pid: number, stateDir: string, log: Log, force: boolean): number {
  const [signal, what] = force ? (['SIGUSR1', 'force an update'] as const) : (['SIGUSR2', 're-check the addresses'] as const);
  try {
    process.kill(pid, signal);
  } catch (e) {
    log.error(`once: updyn run (pid ${pid}) serves ${stateDir} and cannot be asked to ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'}); nothing sent`);
    return EXIT_FAILED;
  }
  log.info(`once: updyn run (pid ${pid}) serves ${stateDir}; asked it to ${what} now (${signal}) instead of sending from here`);
  return EXIT_OK;
}
