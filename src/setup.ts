// What every command that acts needs first: the config (or a clear error and
// exit 2), its secrets registered for redaction, a logger, and the helpers
// that talk to the network with the service's settings.
import { readFile } from 'node:fs/promises';
import type { Config, Family, Result, ServiceConfig } from './types';
import { err, ok } from './types';
import type { Log } from './log';
import { createLog } from './log';
import { registerSecret } from './secrets';
import { defaultConfigPath, loadConfig, formatConfigError } from './config/load';
import { serviceSecrets } from './config/redact';
import { checkip } from './detect/checkip';
import { USER_AGENT } from './version';
import type { CheckipFn } from './monitor';

export interface Loaded {
  config: Config;
  log: Log;
}

/** Reads and validates the config; on failure prints `FILE:LINE: message` lines and returns false. */
export async function readConfig(file: string | undefined, stderr: NodeJS.WritableStream): Promise<Result<Config, void>> {
  const path = file ?? defaultConfigPath();
  const r = await loadConfig(path);
  if (!r.ok) {
    for (const e of r.error) stderr.write(`${formatConfigError(e)}\n`);
    return err(undefined);
  }
  registerSecrets(r.value);
  return ok(r.value);
}

/** Every secret of every service (the token, and credentials inside URLs) goes to the redactor. */
export function registerSecrets(config: Config): void {
  for (const s of config.services) {
    if (s.password) registerSecret(s.password, s.username);
    for (const secret of serviceSecrets(s)) registerSecret(secret);
  }
}

export function logFor(config: Config): Log {
  return createLog({
    level: config.global.log_level,
    format: config.global.log_format,
    timestamps: process.stdout.isTTY === true,
  });
}

/** Config warnings (the plain-http token one among them: schema.ts, so check-config shows it too), once per load. */
export function announceWarnings(config: Config, log: Log): void {
  for (const w of config.warnings) log.warn(w);
}

/** The CA bundle of a service (cacert option), read once per use; a bad file is a clear error. */
export async function caFor(service: ServiceConfig): Promise<Result<Buffer | undefined, string>> {
  if (!service.cacert) return ok(undefined);
  try {
    return ok(await readFile(service.cacert));
  } catch (e) {
    return err(`${service.name}: cannot read cacert ${service.cacert}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
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
