// Where a service's address of one family comes from, given what the device
// holds and `ip_source` (DESIGN.md "Which address is publishable"). Pure.
import type { DeviceSnapshot, Family, IpSource } from '../types';
import { selectAddress } from './select';

export type Plan =
  /** publish this interface address */
  | { kind: 'interface'; address: string; public: boolean }
  /** ask checkip (behind NAT, or by configuration) */
  | { kind: 'checkip'; why: string }
  /** nothing to publish now */
  | { kind: 'none'; why: string };

export function planAddress(
  family: Family,
  source: IpSource,
  snapshot: DeviceSnapshot | null,
  previous: string | null,
): Plan {
  if (source === 'checkip') return { kind: 'checkip', why: 'ip_source checkip' };
  if (!snapshot || !snapshot.present) return { kind: 'none', why: 'device not present' };
  if (!snapshot.up) return { kind: 'none', why: 'device down' };
  const chosen = selectAddress(family, snapshot, previous);
  if (source === 'interface') {
    return chosen ? { kind: 'interface', ...chosen } : { kind: 'none', why: `no ${family} address on the device` };
  }
  if (chosen?.public) return { kind: 'interface', ...chosen };
  return { kind: 'checkip', why: chosen ? `${chosen.address} is not public` : `no ${family} address on the device` };
}
