// A real BIND 9 (Debian's `named`) inside a test's network namespace, serving one
// zone that a TSIG key may update (`allow-update { key ...; }`), on a temporary
// directory; killed when the test ends (the namespace helper tracks it).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { underCI } from './env';
import type { Netns } from './netns';
import { existsSync } from 'node:fs';

export const NAMED = '/usr/sbin/named';

export interface Bind {
  /** named's stderr (-g logs there), as received so far */
  log(): string;
  /** `dig @server +short NAME TYPE` inside the namespace */
  dig(name: string, type: string): Promise<string>;
  serial(): Promise<number>;
}

export interface BindOptions {
  dir: string;
  zone: string;
  keyName: string;
  secret: string;
  algorithm?: string;
  listen?: string;
}

/** null (and the test skipped) where BIND is missing, except under CI, where that is a failure. */
export async function startBind(t: TestContext, ns: Netns, o: BindOptions): Promise<Bind | null> {
  if (!existsSync(NAMED)) {
    if (underCI) throw new Error(`${NAMED} is missing: .ci/run installs bind9`);
    t.skip('needs BIND 9 (apt-get install bind9 bind9-dnsutils)');
    return null;
  }
  const listen = o.listen ?? '127.0.0.1';
  const conf = join(o.dir, 'named.conf');
  writeFileSync(
    conf,
    `options { directory "${o.dir}"; listen-on port 53 { ${listen}; }; listen-on-v6 { none; }; pid-file none;
  recursion no; dnssec-validation no; session-keyfile none; notify no; };
key "${o.keyName}" { algorithm ${o.algorithm ?? 'hmac-sha256'}; secret "${o.secret}"; };
zone "${o.zone}" { type primary; file "${join(o.dir, 'zone.db')}"; allow-update { key "${o.keyName}"; }; };
`,
  );
  writeFileSync(join(o.dir, 'zone.db'), `$TTL 300\n@ IN SOA ns.${o.zone}. admin.${o.zone}. 1 3600 600 86400 300\n@ IN NS ns.${o.zone}.\nns IN A 192.0.2.53\n`);
  const child = ns.spawn(NAMED, ['-g', '-c', conf, '-u', 'root']);
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  const dig = async (name: string, type: string) => (await ns.exec('dig', [`@${listen}`, '+short', '+time=2', '+tries=1', name, type])).stdout.trim();
  // ready when it answers for its zone: bounded, 100 tries of up to 2 s
  for (let i = 0; ; i++) {
    if ((await dig(o.zone, 'SOA')).includes(`ns.${o.zone}.`)) break;
    if (i >= 100 || child.exitCode !== null) throw new Error(`named did not come up:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    log: () => log,
    dig,
    serial: async () => Number((await dig(o.zone, 'SOA')).split(/\s+/)[2]),
  };
}
