import type { Protocol } from '../types';
import type { ProviderSpec } from './provider';
import { zerigo } from './zerigo';
import { dyndns2 } from './dyndns2';
import { custom } from './custom';

/** One table entry per protocol: adding a provider touches one file and this line. */
export const PROVIDERS: Readonly<Record<Protocol, ProviderSpec>> = { zerigo, dyndns2, custom };

export function providerFor(protocol: Protocol): ProviderSpec | null {
  return PROVIDERS[protocol] ?? null;
}

export { sendUpdate } from './provider';
export type { SendResult } from './provider';
