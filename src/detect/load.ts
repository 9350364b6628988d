// Loads the netlink package only when asked, so that a missing or foreign
// native addon costs the event source and nothing else. In the bundle,
// netlink's node-gyp-build call is routed to addon.ts; in tests the real
// node-gyp-build finds the prebuild.
import type * as Netlink from 'netlink';
import { err, ok, type Result } from '../types';

export type NetlinkModule = typeof Netlink;

let loaded: Result<NetlinkModule> | undefined;

/** The netlink module, or why it cannot be used here. */
export function loadNetlink(): Result<NetlinkModule> {
  // Checked on every call and before require(): tests force the fallback this way in both builds.
  if (process.env.UPDYN_NETLINK_ADDON === 'off') return err('netlink addon disabled (UPDYN_NETLINK_ADDON=off)');
  // Remembered either way: a bundled module whose first load threw would
  // hand back its half-initialized exports on a second require().
  if (!loaded) {
    try {
      loaded = ok(require('netlink') as NetlinkModule);
    } catch (e) {
      loaded = err(`netlink unavailable: ${String((e as Error).message).split('\n')[0]}`);
    }
  }
  return loaded;
}
