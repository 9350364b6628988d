// The two files updyn writes, state.json and status.json, are replaced
// atomically (temp file, fsync, rename, fsync of the directory) so that a crash
// or a `kill -9` at any point leaves either the old file or the new one, whole.
import { open, rename, mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { Result } from './result';
import { err, ok } from './result';

export async function writeFileAtomic(path: string, data: string, mode = 0o644): Promise<Result<void, string>> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await syncDir(dir);
    return ok(undefined);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    return err(`cannot write ${path}: ${errnoText(e)}`);
  }
}

/**
 * Temp files of writers that died mid-write (kill -9, power cut) are removed:
 * each carries its pid, so on tmpfs they would pile up, one per crash. A live
 * writer's file is left alone.
 */
export async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^\..+\.(\d+)\.tmp$/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isRunning(pid)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user). */
export function isRunning(pid: unknown): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The directory entry must reach the disk too, or the rename may be lost on power failure. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // some filesystems refuse fsync on a directory; the rename has happened regardless
  }
}

export type ReadJson =
  | { kind: 'missing' }
  | { kind: 'ok'; value: unknown }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'unreadable'; reason: string };

export async function readJsonFile(path: string): Promise<ReadJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'corrupt', reason: 'it is a directory' };
    return { kind: 'unreadable', reason: errnoText(e) };
  }
  try {
    return { kind: 'ok', value: JSON.parse(text) };
  } catch {
    return { kind: 'corrupt', reason: text.length === 0 ? 'empty file' : 'not valid JSON' };
  }
}

/** Moves a bad file out of the way, keeping it for a post-mortem. */
export async function setAside(path: string, when: Date): Promise<Result<string, string>> {
  const target = `${path}.corrupt-${when.toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(path, target);
    return ok(target);
  } catch (e) {
    return err(`cannot move ${path} aside: ${errnoText(e)}`);
  }
}

export function errnoText(e: unknown): string {
  const x = e as NodeJS.ErrnoException;
  const messages: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EISDIR: 'is a directory',
    ENOTDIR: 'a path component is not a directory',
    EDQUOT: 'disk quota exceeded',
  };
  return (x.code && messages[x.code]) ?? x.code ?? String(x.message ?? e).split('\n')[0] ?? 'error';
}
