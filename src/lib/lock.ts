// One process sends for a state directory: `updyn run` for its lifetime,
// `updyn once` for its pass. The lock is a symlink, `STATE_DIR/lock`, whose
// target names its holder: `PID:COMMAND:START:BOOT` (the pid, run or once, the
// process start time in clock ticks from /proc/PID/stat and the kernel's boot
// id). A symlink is made atomically with its content (symlink(2) fails with
// EEXIST), and a short one costs no data block, so it fits on a full tmpfs
// (Emacs's file locks are made the same way). Nothing unlocks after a kill -9:
// a lock is stale when its pid is not running, or runs a process started at
// another time (the pid was reused), or was written under another boot (a
// state_dir on flash survives a reboot; on tmpfs the lock goes with it).
import { readFileSync } from 'node:fs';
import { mkdir, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Result } from './result';
import { err, ok } from './result';
import { errnoText, isRunning } from './files';

export type LockCommand = 'run' | 'once';

export interface Holder {
  pid: number;
  command: LockCommand;
}

export interface Lock {
  readonly path: string;
  /** Removes the lock if it is still this process's. */
  release(): Promise<void>;
}

export type Acquired =
  | { kind: 'locked'; lock: Lock }
  /** another live updyn holds it */
  | { kind: 'busy'; holder: Holder }
  /** no lock can be made here (read-only, no such directory...): the message says why */
  | { kind: 'failed'; error: string };

export const lockPath = (stateDir: string) => join(stateDir, 'lock');

/** Tries once to take the lock of `stateDir` for `command`. */
export async function acquireLock(stateDir: string, command: LockCommand): Promise<Acquired> {
  const path = lockPath(stateDir);
  const mine = describe(process.pid, command);
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o755 });
  } catch (e) {
    return { kind: 'failed', error: `cannot create ${stateDir}: ${errnoText(e)}` };
  }
  // a few rounds: each stale lock removed lets the next round try again
  for (let round = 0; round < 5; round++) {
    try {
      await symlink(mine, path);
      return { kind: 'locked', lock: { path, release: () => releaseIfMine(path, mine) } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return { kind: 'failed', error: `cannot create ${path}: ${errnoText(e)}` };
    }
    const seen = await readTarget(path);
    if (seen === null) continue; // gone meanwhile
    const holder = liveHolder(seen);
    if (holder) return { kind: 'busy', holder };
    const removed = await removeStale(path, seen);
    if (!removed.ok) return { kind: 'failed', error: removed.error };
  }
  return { kind: 'failed', error: `cannot take ${path}: it keeps changing` };
}

/** The live holder a lock target names, or null when it is stale (or not ours to read). */
export function liveHolder(target: string): Holder | null {
  const m = /^(\d+):(run|once):(\d+|-):([0-9a-f-]+|-)$/.exec(target);
  if (!m) return null;
  const pid = Number(m[1]);
  if (!isRunning(pid)) return null;
  const boot = bootId();
  if (m[4] !== '-' && boot !== null && m[4] !== boot) return null;
  const start = startTicks(pid);
  if (m[3] !== '-' && start !== null && m[3] !== start) return null;
  return { pid, command: m[2] as LockCommand };
}

/** `PID:COMMAND:START:BOOT`, `-` where /proc cannot tell. */
export function describe(pid: number, command: LockCommand): string {
  return `${pid}:${command}:${startTicks(pid) ?? '-'}:${bootId() ?? '-'}`;
}

/**
 * Takes a stale lock away without taking a fresh one: the lock is first
 * renamed to a name of our own (atomic, so we get exactly one file), and only
 * deleted if it is still the stale one we read. If another process took over
 * in between, its lock is put back.
 */
async function removeStale(path: string, stale: string): Promise<Result<void, string>> {
  const aside = `${path}.${process.pid}.stale`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
    return err(`cannot remove the stale ${path}: ${errnoText(e)}`);
  }
  const got = await readTarget(aside);
  // a fresh lock taken meanwhile goes back where it was (symlink, not rename:
  // if a third process locked in between, it keeps its own)
  if (got !== stale && got !== null) await symlink(got, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return ok(undefined);
}

async function releaseIfMine(path: string, mine: string): Promise<void> {
  if ((await readTarget(path)) === mine) await unlink(path).catch(() => undefined);
}

async function readTarget(path: string): Promise<string | null> {
  try {
    return await readlink(path);
  } catch {
    return null;
  }
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from its last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

let boot: string | null | undefined;
function bootId(): string | null {
  if (boot === undefined) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      boot = null;
    }
  }
  return boot;
}
