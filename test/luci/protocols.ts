// openwrt/luci-app-updyn/htdocs/luci-static/resources/updyn/protocols.js read
// in node as LuCI's loader would run it: the class file's body with
// `baseclass` and `_` supplied, so the tests compare against the real data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesDir } from './harness/server';

export interface OptionSpec {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'list' | 'select';
  title: string;
  help: string;
  default?: unknown;
  placeholder?: string;
  values?: { value: string; title: string }[];
  secret?: boolean;
}
interface Use {
  title: string;
  help: string;
  values?: { value: string; title: string }[];
}
export interface ProtocolSpec {
  name: string;
  title: string;
  uses: { username: Use | false; password: Use | false; update_url: Use | false; auth: Use | false };
  defaults: { update_url: string; auth: string };
  options: OptionSpec[];
  presets: ({ name: string; update_url: string } & Record<string, string>)[];
}

export const protocolsPath = join(resourcesDir, 'updyn/protocols.js');

export function loadProtocols(): ProtocolSpec[] {
  const src = readFileSync(protocolsPath, 'utf8');
  const baseclass = { extend: (o: object) => o };
  const factory = new Function('baseclass', '_', src) as (b: unknown, t: (s: string) => string) => { protocols: ProtocolSpec[] };
  return factory(baseclass, (s) => s).protocols;
}

export const protocols = loadProtocols();
