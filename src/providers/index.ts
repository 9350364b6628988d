// The only list of protocols: the schema reads its names, defaults, presets and
// own options from here, and so does the LuCI form. Adding a provider is one
// file and one line below.
import type { ProviderSpec } from './provider';
import { zerigo } from './zerigo';
import { dyndns2 } from './dyndns2';
import { custom } from './custom';

export const PROVIDERS: readonly ProviderSpec[] = [zerigo, dyndns2, custom];

export const PROTOCOLS: readonly string[] = PROVIDERS.map((p) => p.protocol);

export function providerFor(protocol: string): ProviderSpec | null {
  return PROVIDERS.find((p) => p.protocol === protocol) ?? null;
}

/** The `service_name` values of a protocol, sorted. */
export function presetNames(protocol: string): string[] {
  return Object.keys(providerFor(protocol)?.presets ?? {}).sort();
}

export { hasPlaceholder } from './custom';
export { sendUpdate } from './provider';
export type { OptionSpec, Preset, ProviderSpec, SendResult } from './provider';
