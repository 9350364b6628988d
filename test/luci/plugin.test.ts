// The rpcd exec plugin behind "running": called the way rpcd calls it
// (`luci.updyn call running`, the arguments plus ubus_rpc_session as JSON on
// stdin), it must give the same answer as `updyn status` (kill -0), and no
// answer at all to anything but a plain decimal pid. Run by /bin/sh, and also
// by busybox (sh, sed, kill: what a router has) when this machine has it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pluginPath } from './harness/server';

const BUSYBOX = '/usr/bin/busybox';
const shells: { name: string; sh: string; env?: NodeJS.ProcessEnv }[] = [{ name: '/bin/sh', sh: '/bin/sh' }];
if (existsSync(BUSYBOX)) {
  const bin = mkdtempSync(join(tmpdir(), 'updyn-busybox-'));
  for (const applet of ['sh', 'sed', 'kill']) symlinkSync(BUSYBOX, join(bin, applet));
  shells.push({ name: 'busybox', sh: join(bin, 'sh'), env: { PATH: bin } });
  after(() => rmSync(bin, { recursive: true, force: true }));
}

for (const { name, sh, env } of shells) {
  const plugin = (args: string[], input = '') => {
    const r = spawnSync(sh, [pluginPath, ...args], { input, encoding: 'utf8', ...(env ? { env } : {}) });
    return { status: r.status, stdout: r.stdout };
  };
  const running = (pid: unknown) => plugin(['call', 'running'], JSON.stringify({ ubus_rpc_session: '0123456789abcdef0123456789abcdef', pid }));

  test(`${name}: list declares "running" with an int32 pid, as rpcd reads signatures`, () => {
    assert.deepEqual(JSON.parse(plugin(['list']).stdout), { running: { pid: 32 } });
  });

  test(`${name}: a live process is running`, () => {
    assert.deepEqual(running(process.pid), { status: 0, stdout: '{ "running": true }\n' });
  });

  test(`${name}: a process that has exited is not running`, async () => {
    const child = spawn('sleep', ['30']);
    const pid = child.pid as number;
    assert.deepEqual(running(pid), { status: 0, stdout: '{ "running": true }\n' });
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
    assert.deepEqual(running(pid), { status: 0, stdout: '{ "running": false }\n' });
  });

  test(`${name}: anything but a plain decimal pid gets no answer, so rpcd reports an error`, () => {
    for (const pid of ['123', 0, -1, '1; kill 1', '$(reboot)', null, 1.5e40, 1.5, '0123', [1]]) {
      assert.deepEqual(running(pid), { status: 1, stdout: '' }, JSON.stringify(pid));
    }
    assert.deepEqual(plugin(['call', 'running'], '{"ubus_rpc_session":"ab"}'), { status: 1, stdout: '' });
    assert.equal(plugin(['call', 'stop'], '{}').status, 1);
  });
}
