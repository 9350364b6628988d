// Loads the netlink package only when asked, so that a missing or foreign
// native addon costs the event source and nothing else. Only its socket layer
// is used (netlink/dist/netlink); rtnetlink payloads are parsed by rtparse.ts,
// which keeps the package's large message tables out of the bundle. In the
// bundle, netlink's node-gyp-build call is routed to addon.ts; in compiled
// tests, to test/support/addon-shim.ts.
import type { createNetlink } from 'netlink';
import { err, ok, type Result } from '../types';
import { parseAddressMessage, parseLinkMessage } from './rtparse';

export interface NetlinkModule {
  Protocol: { ROUTE: number };
  createNetlink: typeof createNetlink;
  rt: { parseLinkMessage: typeof parseLinkMessage; parseAddressMessage: typeof parseAddressMessage };
}

/** NETLINK_ROUTE in linux/netlink.h */
const NETLINK_ROUTE = 0;

let loaded: Result<NetlinkModule> | undefined;

/** The netlink module, or why it cannot be used here. */
export function loadNetlink(): Result<NetlinkModule> {
  // Checked on every call and before require(): tests force the fallback this way in both builds.
  if (process.env.UPDYN_NETLINK_ADDON === 'off') return err('netlink addon disabled (UPDYN_NETLINK_ADDON=off)');
  // Remembered either way: a bundled module whose first load threw would
  // hand back its half-initialized exports on a second require().
  if (!loaded) {
    try {
      const socket = require('netlink/dist/netlink') as { createNetlink: typeof createNetlink };
      loaded = ok({ Protocol: { ROUTE: NETLINK_ROUTE }, createNetlink: socket.createNetlink, rt: { parseLinkMessage, parseAddressMessage } });
    } catch (e) {
      loaded = err(`netlink unavailable: ${String((e as Error).message).split('\n')[0]}`);
    }
  }
  return loaded;
}
