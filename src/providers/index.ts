import type { Protocol } from '../types';
import type { Provider, ProtocolOptions } from './provider';
import { zerigo } from './zerigo';
import { dyndns2 } from './dyndns2';
import { custom } from './custom';
import { cloudflare } from './cloudflare';
import { nsupdate } from './nsupdate';

/** One table entry per protocol: adding a provider touches one file and this line. */
export const PROVIDERS = { zerigo, dyndns2, custom, cloudflare, nsupdate } as const satisfies Readonly<Record<Protocol, Provider>>;

export function providerFor(protocol: Protocol): Provider | null {
  return (PROVIDERS as Readonly<Record<Protocol, Provider>>)[protocol] ?? null;
}

/** The options a protocol reads beyond the shared ones, or null (schema.ts asks). */
export function protocolOptions(protocol: Protocol): ProtocolOptions | null {
  const p = providerFor(protocol);
  return p !== null && 'update' in p ? (p.options ?? null) : null;
}

export { sendUpdate } from './provider';
export type { SendResult } from './provider';
export { PROTOCOL_OPTION_DEFAULTS } from './provider';
