// What may be deleted to make room for state.json on a full state directory
// (a small tmpfs): status.json, which is rebuilt from memory after every save,
// whereas a lost state means re-sending (or, for `once`, sending nothing).
import { unlink } from 'node:fs/promises';
import { statusPath } from './status-file';

/** Removes status.json from `stateDir`; true when there was one to remove. */
export async function giveUpStatus(stateDir: string): Promise<boolean> {
  try {
    await unlink(statusPath(stateDir));
    return true;
  } catch {
    return false;
  }
}
