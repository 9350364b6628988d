// What every command that acts needs first: the config (or a clear error and
// exit 2), its secrets registered for redaction, and a logger.
import type { Config, Log, Result } from '../types';
import { err, ok } from '../types';
import { createLog } from '../output/log';
import { registerSecret } from '../lib/secrets';
import { defaultConfigPath, loadConfig, formatConfigError } from '../config/load';
import { serviceSecrets } from '../config/redact';

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
