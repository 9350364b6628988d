// Every wording of a record's story, in one place: what it learned, what it
// sends and why, what the provider answered, why it waits. Users grep and
// alert on these lines (DESIGN.md "Log lines"), so they change only on purpose.
import type { Clock, Detected, DnsCheck, RecordKey } from '../types';
import { recordType } from '../types';
import { formatDuration } from '../lib/text';
import type { SendReason } from './record';

/** The message a record registered from DNS carries (status.json `last_message`). */
export const MATCHED_DNS = 'matched DNS';

/** How a record is named in log lines: `home example.zerigo.com AAAA`. */
export const recordLabel = (k: RecordKey): string => `${k.service} ${k.host} ${recordType(k.family)}`;

/** `home example.org A: address 203.0.113.5 (interface eth0)` */
export function detectedLine(record: RecordKey, d: Detected): string {
  return `${recordLabel(record)}: ${d.address ? `address ${d.address}` : 'no address'} (${d.detail})`;
}

export function noAddressLine(record: RecordKey, why: string): string {
  return `${recordLabel(record)}: no address: ${why}`;
}

export function sendingLine(record: RecordKey, address: string, reason: SendReason, previous: string | null, dryRun: boolean): string {
  return dryRun
    ? `${recordLabel(record)}: would send ${address} (${reasonText(reason, previous)}; dry run)`
    : `${recordLabel(record)}: sending ${address} (${reasonText(reason, previous)})`;
}

export function okLine(record: RecordKey, address: string, previous: string | null, reason: SendReason, message: string, ms: number): string {
  const what = reason === 'refresh' ? `refreshed ${address}` : previous && previous !== address ? `updated ${previous} -> ${address}` : `updated ${address}`;
  return `${recordLabel(record)}: ${what} (${message}, ${ms} ms)`;
}

export function rejectedLine(record: RecordKey, message: string): string {
  return `${recordLabel(record)}: rejected by provider (${message}); not retrying until config or address changes`;
}

/** The records a rejection about the account or a host stopped besides the one that asked. */
export function reachLine(record: RecordKey, reach: 'service' | 'host' | 'record', others: number): string {
  const scope = reach === 'service' ? `every record of ${record.service}` : `every record of ${record.host}`;
  return `${record.service}: ${scope} stops too (${others} more); lifted by a config change, SIGUSR1 or in 24 h`;
}

export function troubleLine(record: RecordKey, message: string, retrySeconds: number): string {
  return `${recordLabel(record)}: provider trouble (${message}); retry in ${formatDuration(Math.max(retrySeconds, 0))}`;
}

export function waitLine(record: RecordKey, why: 'rate-limit' | 'floor', address: string, clock: Clock, at: number): string {
  const when = clockTime(clock, at);
  return why === 'rate-limit'
    ? `${recordLabel(record)}: rate limited; ${address} will be sent at ${when}`
    : `${recordLabel(record)}: provider asked for a pause; ${address} will be sent at ${when}`;
}

/** What a DNS check found, and at which level it is worth saying. */
export function dnsCheckLine(record: RecordKey, address: string, check: DnsCheck): { level: 'info' | 'warn'; text: string } {
  const label = recordLabel(record);
  switch (check.kind) {
    case 'match':
      return { level: 'info', text: `${label}: DNS already holds ${address}; counted as registered, nothing sent` };
    case 'differs':
      return { level: 'info', text: `${label}: DNS holds ${check.found.length ? check.found.join(', ') : 'no record'}; an update is needed` };
    case 'failed':
      return { level: 'warn', text: `${label}: DNS check failed (${check.message}); sending the update` };
  }
}

function reasonText(reason: SendReason, previous: string | null): string {
  switch (reason) {
    case 'first':
      return 'no registration known';
    case 'change':
      return `registered ${previous ?? 'nothing'}`;
    case 'refresh':
      return 'periodic refresh';
    case 'forced':
      return 'forced';
    case 'retry':
      return 'retry';
  }
}

/** A monotonic instant as local wall-clock HH:MM. */
function clockTime(clock: Clock, at: number): string {
  const d = new Date(clock.wall() + (at - clock.now()));
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
