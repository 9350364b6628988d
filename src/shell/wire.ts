// The provider request for one record, with the service's current settings.
import type { ServiceConfig } from '../types';
import type { Entry } from '../engine/book';
import type { SendOutcome } from '../engine/loop';
import { providerFor, sendUpdate } from '../providers';
import { caFor } from './boot';

export function makeSender(serviceByName: () => Map<string, ServiceConfig>, signal?: AbortSignal) {
  return async (entry: Entry, address: string): Promise<SendOutcome> => {
    const service = serviceByName().get(entry.service);
    if (!service) return { outcome: { kind: 'trouble', message: 'service no longer configured' }, elapsedMs: 0 };
    const spec = providerFor(service.protocol);
    if (!spec) {
      return { outcome: { kind: 'rejected', reach: 'service', message: `protocol '${service.protocol}' is not supported` }, elapsedMs: 0 };
    }
    const ca = await caFor(service);
    if (!ca.ok) return { outcome: { kind: 'rejected', reach: 'service', message: ca.error }, elapsedMs: 0 };
    const r = await sendUpdate(
      spec,
      { service, host: entry.host, family: entry.family, address },
      { ...(ca.value ? { ca: ca.value } : {}), ...(signal ? { signal } : {}) },
    );
    const { elapsedMs, ...outcome } = r;
    return { outcome, elapsedMs };
  };
}
