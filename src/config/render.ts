// What `updyn check-config` prints: the effective config, defaults included, in
// UCI option names, with every secret replaced. LuCI reads the JSON form, so it
// is the one place a user who may not read the config file sees the settings.
import type { Config, GlobalConfig, ServiceConfig } from '../types';
import { redactUrl } from './redact';
import { REDACTED } from '../lib/secrets';
import { SERVICE_OPTIONS } from './schema';
import { quoteValue } from '../lib/text';

export type ConfigJsonValue = string | number | boolean | string[];

export interface ConfigJson {
  global: GlobalConfig;
  services: Record<string, ConfigJsonValue>[];
  warnings: string[];
}

const URL_OPTIONS: ReadonlySet<keyof ServiceConfig> = new Set(['update_url', 'checkip_url', 'checkip4_url', 'checkip6_url']);

export function renderConfigJson(config: Config): ConfigJson {
  return {
    global: { ...config.global },
    services: config.services.map(redactedService),
    warnings: [...config.warnings],
  };
}

/** The summary for a terminal; the warnings themselves go to stderr (see commands.ts), so only their count is here. */
export function renderConfigText(config: Config): string {
  const width = Math.max(...SERVICE_OPTIONS.map((k) => k.length)) + 2;
  const row = (k: string, v: ConfigJsonValue) => `  ${k.padEnd(width)}${display(v)}\n`;
  const enabled = config.services.filter((s) => s.enabled).length;
  let out = `${config.file}: valid; ${plural(config.services.length, 'service')} (${enabled} enabled), ${plural(config.warnings.length, 'warning')}\n`;
  out += '\nglobal\n';
  for (const [k, v] of Object.entries(config.global)) out += row(k, v as ConfigJsonValue);
  for (const s of config.services.map(redactedService)) {
    out += `\nservice ${String(s.name)}${s.enabled ? '' : ' (disabled)'}\n`;
    for (const [k, v] of Object.entries(s)) if (k !== 'name') out += row(k, v);
  }
  return out;
}

// ---------------------------------------------------------------------------

function redactedService(s: ServiceConfig): Record<string, ConfigJsonValue> {
  const out: Record<string, ConfigJsonValue> = {};
  for (const k of SERVICE_OPTIONS) {
    const v = s[k];
    if (k === 'password') out[k] = v === '' ? '' : REDACTED;
    else if (URL_OPTIONS.has(k)) out[k] = redactUrl(v as string);
    else out[k] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

/** Plain where that reads unambiguously; quoted when empty or odd (spaces, control characters). */
function display(v: ConfigJsonValue): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => display(x)).join(' ');
  return v === '' || /[\s'"\\\x00-\x1f\x7f-\x9f]/.test(v) ? quoteValue(v, 200) : v;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
