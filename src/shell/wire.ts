// The adapters that plug the outside world into the engine and the monitor:
// a provider request, a checkip request and a DNS lookup for one record, each
// with its service's current settings (timeout, CA file).
import { readFile } from 'node:fs/promises';
import type { Config, DnsCheck, Family, Result, ServiceConfig } from '../types';
import { err, ok } from '../types';
import type { Entry } from '../engine/book';
import type { SendOutcome } from '../engine/loop';
import { providerFor, sendUpdate } from '../providers';
import { checkip } from '../detect/checkip';
import type { CheckipFn } from '../detect/monitor';
import { verifyDns } from '../detect/dns';
import { USER_AGENT } from '../version';

type Services = () => Map<string, ServiceConfig>;

/** The provider request for one record. */
export function makeSender(serviceByName: Services, signal?: AbortSignal) {
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

/** verify_dns's lookup for one record, at the service's dns_server within its timeout. */
export function makeLookup(serviceByName: Services) {
  return async (entry: Entry, address: string): Promise<DnsCheck> => {
    const service = serviceByName().get(entry.service);
    if (!service) return { kind: 'failed', message: 'service no longer configured' };
    return verifyDns({ host: entry.host, family: entry.family, address, server: service.dns_server, timeoutMs: service.timeout * 1000 });
  };
}

export const checkipWith: CheckipFn = async (service: ServiceConfig, family: Family, url: string) => {
  const ca = await caFor(service);
  if (!ca.ok) return ca;
  return checkip(url, family, {
    timeoutMs: service.timeout * 1000,
    userAgent: USER_AGENT,
    ...(ca.value ? { ca: ca.value } : {}),
  });
};

/** The device each enabled service watches: --device, else `device`, else `interface` taken as a device name. */
export function devicesFor(config: Config, overrides: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of config.services) out.set(s.name, overrides.get(s.name) ?? (s.device || s.interface));
  return out;
}

/** The CA bundle of a service (cacert option), read once per use; a bad file is a clear error. */
async function caFor(service: ServiceConfig): Promise<Result<Buffer | undefined, string>> {
  if (!service.cacert) return ok(undefined);
  try {
    return ok(await readFile(service.cacert));
  } catch (e) {
    return err(`${service.name}: cannot read cacert ${service.cacert}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
