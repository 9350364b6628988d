// An OpenWrt root for package tests: ../shared/openwrt/openwrt-root.tar.gz
// unpacked (OpenWrt's real /lib/functions.sh, /etc/rc.common, procd.sh,
// jshn, uci, opkg, busybox ash), plus what a router would have and that tarball
// does not:
// - node: this machine's node and its libraries, copied in (the root's glibc is
//   this machine's), standing in for the feed's node package;
// - ubus: there is no ubusd or procd here, so /usr/bin/ubus is a RECORDER
//   (test/openwrt/shims/usr/bin/ubus run by node in the root): it notes every
//   call and keeps procd's view of services the way procd's service/instance.c
//   does (`service set` starts an instance or leaves an unchanged one as it is,
//   `service delete` stops it). The real procd would fork the command; the
//   recorder writes "start"/"stop"/"restart" to /tmp/procd/procd.log instead.
// Commands run inside with chroot(8), as root, with a router's PATH.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { canRun, repoRoot, tempDir } from '../support/env';
import { SHIMS } from './router';

export const SHARED = join(repoRoot, '../shared/openwrt');
export const APK = join(SHARED, 'apk');
const TARBALL = join(SHARED, 'openwrt-root.tar.gz');

/** Why these tests cannot run here, or null. */
export function realToolsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (chroot)';
  if (!existsSync(TARBALL)) return `no ${TARBALL}`;
  if (!existsSync(APK)) return `no ${APK}`;
  return null;
}

export function needsRealTools(t: TestContext): boolean {
  return canRun(t, realToolsUnavailable());
}

export interface Run {
  code: number | null;
  out: string;
}

export class OpenWrtRoot {
  readonly root: string;

  constructor(t: TestContext) {
    const dir = tempDir(t, 'updyn-owrt-');
    const x = spawnSync('tar', ['-xzf', TARBALL, '-C', dir]);
    if (x.status !== 0) throw new Error(`unpacking ${TARBALL}: ${x.stderr.toString()}`);
    this.root = join(dir, 'root');
    for (const d of ['tmp/procd', 'var/run', 'var/lock', 'etc/rc.d', 'usr/lib/updyn-test']) mkdirSync(join(this.root, d), { recursive: true });
    this.installNode();
    cpSync(join(SHIMS, 'usr/bin/ubus'), join(this.root, 'usr/lib/updyn-test/ubus-recorder.js'));
    this.write('usr/bin/ubus', '#!/bin/sh\n# recorder: no ubusd/procd in this root (see test/openwrt/owrt-root.ts)\nSHIM_STATE=/tmp/procd exec /usr/bin/node /usr/lib/updyn-test/ubus-recorder.js "$@"\n', 0o755);
  }

  private installNode(): void {
    const ldd = spawnSync('ldd', [process.execPath], { encoding: 'utf8' });
    for (const m of ldd.stdout.matchAll(/=> (\/\S+)/g)) {
      const lib = m[1] as string;
      const to = join(this.root, 'lib/x86_64-linux-gnu', lib.slice(lib.lastIndexOf('/') + 1));
      if (!existsSync(to)) cpSync(lib, to, { dereference: true });
    }
    cpSync(process.execPath, join(this.root, 'usr/bin/node'), { dereference: true });
  }

  path(p: string): string {
    return join(this.root, p);
  }

  write(p: string, text: string, mode = 0o644): void {
    mkdirSync(join(this.path(p), '..'), { recursive: true });
    writeFileSync(this.path(p), text, { mode });
    chmodSync(this.path(p), mode);
  }

  read(p: string): string {
    return readFileSync(this.path(p), 'utf8');
  }

  exists(p: string): boolean {
    return existsSync(this.path(p));
  }

  /** A command inside the root, as root on a router (no IPKG_INSTROOT: a live system). */
  sh(script: string): Run {
    const r = spawnSync('chroot', [this.root, '/bin/sh', '-c', script], {
      encoding: 'utf8',
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' },
      timeout: 120_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  /** The real apk 3 on this root (it chroots into it for the scripts). */
  apk(...args: string[]): Run {
    const r = spawnSync(APK, ['--root', this.root, '--allow-untrusted', '--no-cache', '--no-network', ...args], {
      encoding: 'utf8',
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      timeout: 120_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  /** What the procd recorder did, one entry per start / stop / restart / signal. */
  procd(): { action: string; service?: string; instance?: string }[] {
    const f = this.path('tmp/procd/procd.log');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { action: string });
  }

  /** The recorder's log of `ubus` calls, one argument array each. */
  ubusCalls(): string[][] {
    const f = this.path('tmp/procd/ubus.log');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string[]);
  }
}
