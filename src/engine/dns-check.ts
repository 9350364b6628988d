// verify_dns wiring: before a record with no confirmed registration sends its
// first request, DNS gets asked whether it already holds the address (after a
// reboot the state on tmpfs is gone; the provider still has the record).
import type { Log } from '../output/log';
import type { ServiceConfig } from '../types';
import type { Entry } from './book';
import { recordLabel } from './book';
import type { Clock } from './persist';
import { applyDnsMatch, verifyDns } from '../detect/dns';

export function needsDnsCheck(entry: Entry, service: ServiceConfig | undefined, address: string | null): boolean {
  return Boolean(service?.verify_dns && address !== null && entry.machine.memory.registered === null);
}

/** Asks DNS for one record; on a match the record counts as registered and nothing will be sent. */
export async function checkDns(entry: Entry, service: ServiceConfig, address: string, clock: Clock, log: Log): Promise<void> {
  const check = await verifyDns({
    host: entry.host,
    family: entry.family,
    address,
    server: service.dns_server,
    timeoutMs: service.timeout * 1000,
  });
  const label = recordLabel(entry);
  if (applyDnsMatch(entry.machine.memory, address, check, clock.now())) {
    log.info(`${label}: DNS already holds ${address}; counted as registered, nothing sent`);
  } else if (check.kind === 'differs') {
    log.info(`${label}: DNS holds ${check.found.length ? check.found.join(', ') : 'no record'}; an update is needed`);
  } else if (check.kind === 'failed') {
    log.warn(`${label}: DNS check failed (${check.message}); sending the update`);
  }
}
