// init.d/updyn as procd sees it: the script runs under stand-ins for OpenWrt's
// rc.common, procd.sh, network.sh and jshn (test/openwrt/shims, checked against
// the real ones), with the shipped bundle as /usr/bin/updyn, and the test reads
// what reached `ubus call service ...`, what the stand-in procd did with it,
// and what went to syslog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, underCI } from '../support/env';
import { CREDENTIALS, INIT_SCRIPT, Router, SHELL, configWith, serviceSection, type InstanceDef } from './router';

const WAN_UP = { up: true, l3_device: 'pppoe-wan', device: 'eth0.2', proto: 'pppoe' };
const WAN6_DOWN = { up: false, device: 'eth1', proto: 'dhcpv6' };

/** Five services: two on wan, one (anonymous) on wan6, one with its own device, one disabled. */
function fiveServices(stateDir: string): string {
  return configWith(
    stateDir,
    serviceSection('home', { ...CREDENTIALS, interface: 'wan' }),
    serviceSection('work', { ...CREDENTIALS, interface: 'wan' }, ['work.example.com']),
    serviceSection(null, { ...CREDENTIALS, interface: 'wan6', ipv4: '0' }, ['six.example.com']),
    serviceSection('fixed', { ...CREDENTIALS, interface: 'wan', device: 'eth9' }, ['fixed.example.com']),
    serviceSection('off', { enabled: '0', interface: 'lan' }, ['off.example.com']),
  );
}

function started(t: import('node:test').TestContext): { r: Router; dir: string } {
  const dir = tempDir(t);
  const r = new Router(t, { config: fiveServices(join(dir, 'state')) });
  r.setInterface('wan', WAN_UP);
  r.setInterface('wan6', WAN6_DOWN);
  r.setInterface('lan', { up: true, l3_device: 'br-lan', device: 'br-lan' });
  const out = r.run('start');
  assert.equal(out.code, 0, out.stderr);
  return { r, dir };
}

const instance = (r: Router): InstanceDef => {
  const inst = r.lastSet().instances.updyn;
  assert.ok(inst, 'an instance named updyn');
  return inst;
};

test('start: one instance, `updyn run` with the device of each logical interface', (t) => {
  const { r } = started(t);
  const set = r.lastSet();
  assert.equal(set.name, 'updyn');
  assert.deepEqual(Object.keys(set.instances), ['updyn']);
  assert.deepEqual(instance(r).command, [
    r.prog,
    'run',
    // wan is up: its L3 device (PPPoE), not the Ethernet under it
    '--device',
    'home=pppoe-wan',
    '--device',
    'work=pppoe-wan',
    // wan6 is down: netifd has no l3_device yet, so its configured device
    '--device',
    '@service[2]=eth1',
  ]);
  // 'fixed' keeps its own device (updyn reads it from the config), 'off' is not looked up
  assert.ok(!r.ubusCalls().some((c) => c[1] === 'network.interface.lan'), 'a disabled service is not resolved');
  assert.deepEqual(r.procd().map((a) => a.action), ['start']);
});

test('the instance: respawn 3600 10 5, stdout and stderr to syslog, the config files, HUP to reload', (t) => {
  const { r } = started(t);
  const inst = instance(r);
  assert.deepEqual(inst.respawn, ['3600', '10', '5']);
  assert.equal(inst.term_timeout, 15);
  assert.equal(inst.stdout, true);
  assert.equal(inst.stderr, true);
  assert.deepEqual(inst.file, ['/etc/config/updyn', '/var/run/uci/updyn']);
  assert.equal(inst.reload_signal, 1, 'SIGHUP');
  // procd tags each line with the basename of argv[0]: PROG is /usr/bin/updyn on the router
  assert.match(readFileSync(INIT_SCRIPT, 'utf8'), /^PROG=\/usr\/bin\/updyn$/m);
});

test('triggers: a config change of updyn, and one per logical interface to re-resolve', (t) => {
  const { r } = started(t);
  const run = ['run_script', '/etc/init.d/updyn', 'reload'];
  assert.deepEqual(r.lastSet().triggers, [
    ['config.change', ['if', ['eq', 'package', 'updyn'], run], 1000],
    ['interface.*', ['if', ['eq', 'interface', 'wan'], run], 1000],
    ['interface.*', ['if', ['eq', 'interface', 'wan6'], run], 1000],
  ]);
});

test('an interface netifd does not know: no --device, and a warning in syslog', (t) => {
  const dir = tempDir(t);
  const r = new Router(t, { config: configWith(join(dir, 'state'), serviceSection('home', { ...CREDENTIALS, interface: 'wwan' })) });
  const out = r.run('start');
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(instance(r).command, [r.prog, 'run']);
  assert.deepEqual(r.logs(), [
    { tag: 'updyn', priority: 'daemon.warn', message: 'home: interface wwan is unknown to netifd; watching a device named wwan until it comes up' },
  ]);
  // it still gets a trigger: when wwan appears, a reload resolves it
  assert.equal(JSON.stringify(r.lastSet().triggers).includes('"wwan"'), true);
});

test('a config error: nothing starts, and the file:line message goes to syslog at daemon.err', (t) => {
  const dir = tempDir(t);
  const bad = `${configWith(join(dir, 'state'), serviceSection('home', { ...CREDENTIALS, interface: 'wan' }))}\toption timeout '600'\n`;
  const r = new Router(t, { config: bad });
  r.setInterface('wan', WAN_UP);
  const out = r.run('start');
  assert.equal(out.code, 1, 'start fails visibly');
  assert.deepEqual(r.lastSet().instances, {}, 'no instance');
  assert.deepEqual(r.procd(), []);
  const lineNo = bad.split('\n').indexOf("\toption timeout '600'") + 1;
  const line = `${r.conf}:${lineNo}: option 'timeout' in section 'home': '600' must be a whole number from 1 to 60`;
  assert.deepEqual(r.logs(), [
    { tag: 'updyn', priority: 'daemon.err', message: line },
    { tag: 'updyn', priority: 'daemon.err', message: 'not starting: updyn check-config did not pass' },
  ]);
  // whoever ran it by hand sees updyn's own words
  assert.ok(out.stderr.includes(line), out.stderr);
  // the reload trigger is still registered: fixing the config in LuCI starts it
  assert.deepEqual((r.lastSet().triggers[0] as unknown[])[0], 'config.change');
});

test('an updyn that cannot run (no node, say): nothing starts, and syslog says so', (t) => {
  const dir = tempDir(t);
  const prog = join(dir, 'broken-updyn');
  writeFileSync(prog, '#!/bin/sh\necho "env: can\'t execute \'node\': No such file or directory" >&2\nexit 127\n', { mode: 0o755 });
  const r = new Router(t, { prog });
  const out = r.run('start');
  assert.equal(out.code, 1);
  assert.deepEqual(r.lastSet().instances, {});
  assert.deepEqual(r.logs().map((l) => `${l.priority} ${l.message}`), [
    'daemon.err updyn check-config failed (exit 127) without a report',
    'daemon.err not starting: updyn check-config did not pass',
  ]);
  assert.match(out.stderr, /can't execute 'node'/);
});

test('reload after a config edit: procd sends SIGHUP to the same process', (t) => {
  const { r } = started(t);
  const pid = r.procd()[0]?.pid;
  r.clear();
  writeFileSync(r.conf, `${readFileSync(r.conf, 'utf8')}\n# edited\n`);
  assert.equal(r.run('reload').code, 0);
  assert.deepEqual(r.procd(), [{ action: 'signal', service: 'updyn', instance: 'updyn', pid, signal: 1 }]);
});

test('reload with nothing changed does nothing', (t) => {
  const { r } = started(t);
  r.clear();
  assert.equal(r.run('reload').code, 0);
  assert.deepEqual(r.procd(), []);
});

test('reload after the interface came back on another device: a restart with the new --device', (t) => {
  const { r } = started(t);
  r.clear();
  r.setInterface('wan6', { up: true, l3_device: 'wan6-6in4', device: 'eth1' });
  assert.equal(r.run('reload').code, 0);
  // procd alone would send SIGHUP and keep the old arguments: the script restarts instead
  assert.deepEqual(
    r.procd().map((a) => a.action),
    ['stop', 'start'],
  );
  assert.ok(r.procd()[1]?.command?.includes('@service[2]=wan6-6in4'));
});

test('reload with a broken config leaves the running updyn alone', (t) => {
  const { r } = started(t);
  r.clear();
  writeFileSync(r.conf, `${readFileSync(r.conf, 'utf8')}\nconfig service 'x'\n\toption enabled 'maybe'\n`);
  const out = r.run('reload');
  assert.equal(out.code, 1);
  assert.deepEqual(r.procd(), [], 'not stopped, not signalled');
  assert.ok(!r.ubusCalls().some((c) => c[2] === 'set' || c[2] === 'delete'));
  assert.match(r.logs()[0]?.message ?? '', /:\d+: option 'enabled' in section 'x': 'maybe' must be a boolean/);
  assert.equal(r.logs()[1]?.message, 'not reloading: updyn check-config did not pass; a running updyn keeps its previous config');
});

test('check sends SIGUSR2 and update SIGUSR1; both fail while updyn is not running', (t) => {
  const { r } = started(t);
  const pid = r.procd()[0]?.pid;
  r.clear();
  assert.equal(r.run('check').code, 0);
  assert.equal(r.run('update').code, 0);
  assert.deepEqual(r.procd(), [
    { action: 'signal', service: 'updyn', instance: 'updyn', pid, signal: 12 },
    { action: 'signal', service: 'updyn', instance: 'updyn', pid, signal: 10 },
  ]);
  assert.equal(r.run('running').code, 0);
  assert.equal(r.run('stop').code, 0);
  r.clear();
  for (const action of ['check', 'update']) {
    const out = r.run(action);
    assert.equal(out.code, 1, action);
    assert.equal(out.stderr, 'updyn is not running\n');
  }
  assert.equal(r.run('running').code, 1);
  assert.deepEqual(r.procd(), []);
});

test('help names check and update; enable links S95 and K10', (t) => {
  const { r } = started(t);
  assert.match(r.run('help').stdout, /\tcheck\tRe-check the addresses now \(SIGUSR2\)\n\tupdate\tUpdate every record now, rejected ones too \(SIGUSR1\)/);
  assert.equal(r.run('enable').code, 0);
  assert.equal(readlinkSync(join(r.root, 'etc/rc.d/S95updyn')), '../init.d/updyn');
  assert.equal(readlinkSync(join(r.root, 'etc/rc.d/K10updyn')), '../init.d/updyn');
});

// Values that would run commands if a shell ever read them as code.
const PWN = (dir: string) => [`$(touch ${dir}/pwned1)`, `\`touch ${dir}/pwned2\``, `'; touch ${dir}/pwned3; '`, `"; touch ${dir}/pwned4; "`, `a\ntouch ${dir}/pwned5`];

test('hostile config values never run and reach updyn intact (real check-config)', (t) => {
  const dir = tempDir(t);
  // UCI: inside double quotes a backslash escapes the next character
  const password = `p'"$(touch ${dir}/pwned1);\`touch ${dir}/pwned2\`;x`;
  const device = 'e`id`;$(x)\'"';
  const uci = (s: string) => `"${s.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
  const config = configWith(
    join(dir, 'state'),
    `config service 'home'\n\toption enabled '1'\n\toption username ${uci(password)}\n\toption password ${uci(password)}\n\tlist host 'home.example.com'\n\toption interface 'wan'\n\toption device ${uci(device)}\n`,
    serviceSection('two', { ...CREDENTIALS, interface: 'wan' }, ['two.example.com']),
  );
  const r = new Router(t, { config });
  r.setInterface('wan', WAN_UP);
  const out = r.run('start');
  assert.equal(out.code, 0, out.stderr);
  // the service with its own device passes nothing through the shell
  assert.deepEqual(instance(r).command, [r.prog, 'run', '--device', 'two=pppoe-wan']);
  // and updyn reads the values as written
  const json = JSON.parse(spawnSync(r.prog, ['check-config', '--json'], { encoding: 'utf8' }).stdout);
  assert.equal(json.services[0].device, device);
  assert.equal(json.services[0].username, password);
  for (let i = 1; i <= 5; i++) assert.ok(!existsSync(join(dir, `pwned${i}`)), `pwned${i}`);
});

test('a hostile interface name is a config error, logged intact and never run', (t) => {
  const dir = tempDir(t);
  const r = new Router(t, { config: configWith(join(dir, 'state'), serviceSection('home', { ...CREDENTIALS, interface: `wan;touch ${dir}/pwned1` })) });
  const out = r.run('start');
  assert.equal(out.code, 1);
  assert.match(r.logs()[0]?.message ?? '', new RegExp(`option 'interface' in section 'home': 'wan;touch ${dir}/pwned1' is not an OpenWrt interface name`));
  assert.ok(!r.ubusCalls().some((c) => c[1]?.startsWith('network.interface.')));
  assert.ok(!existsSync(join(dir, 'pwned1')));
});

test('hostile names from check-config or netifd are never run nor passed on (a stand-in updyn)', (t) => {
  const dir = tempDir(t);
  const pwn = PWN(dir);
  // a check-config that lets everything through, to test the script's own guard
  const services = [
    ...pwn.map((p, i) => ({ name: `s${i}`, enabled: true, interface: p, device: '', host: [p], password: p })),
    ...pwn.map((p) => ({ name: p, enabled: true, interface: 'wan', device: '', host: ['h.example.com'], password: 'x' })),
    { name: 'ok1', enabled: true, interface: 'bad1', device: '' },
    { name: 'ok2', enabled: true, interface: 'bad2', device: '' },
    { name: 'ok3', enabled: true, interface: 'good', device: '' },
    { name: '@service[7]', enabled: true, interface: 'wan', device: '' },
  ];
  const report = { global: {}, services, warnings: [], [`k'$(touch ${dir}/pwned6)`]: pwn };
  const reportFile = join(dir, 'report.json');
  writeFileSync(reportFile, JSON.stringify(report));
  const prog = join(dir, 'fake-updyn');
  writeFileSync(prog, `#!/bin/sh\ncat '${reportFile}'\n`, { mode: 0o755 });
  const r = new Router(t, { prog });
  r.setInterface('wan', WAN_UP);
  r.setInterface('bad1', { up: true, l3_device: `$(touch ${dir}/pwned7)`, device: 'x' });
  r.setInterface('bad2', { up: true, l3_device: "eth0'; touch pwned8", device: 'x' });
  r.setInterface('good', { up: true, l3_device: 'wlan0-1.5:x', device: 'wlan0' });
  const out = r.run('start');
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(instance(r).command, [prog, 'run', '--device', 'ok3=wlan0-1.5:x', '--device', '@service[7]=pppoe-wan']);
  const looked = r.ubusCalls().filter((c) => c[1]?.startsWith('network.interface.')).map((c) => c[1]);
  assert.deepEqual([...new Set(looked)], ['network.interface.bad1', 'network.interface.bad2', 'network.interface.good', 'network.interface.wan']);
  assert.equal(r.logs().filter((l) => l.priority === 'daemon.warn').length, pwn.length * 2 + 2);
  for (let i = 1; i <= 8; i++) assert.ok(!existsSync(join(dir, `pwned${i}`)) && !existsSync(join(r.state, `pwned${i}`)), `pwned${i}`);
});

test('the script and the stand-ins are POSIX sh (and shellcheck-clean where shellcheck is installed)', (t) => {
  for (const sh of [SHELL, ['/bin/sh']]) {
    const [cmd = '/bin/sh', ...pre] = sh;
    const r = spawnSync(cmd, [...pre, '-n', INIT_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  const sc = spawnSync('shellcheck', ['--version']);
  if (sc.status !== 0) {
    // .ci/run installs it: under CI its absence is a failure, not a skip
    if (underCI) assert.fail('shellcheck is not installed');
    return t.skip('shellcheck is not installed');
  }
  const r = spawnSync('shellcheck', [INIT_SCRIPT], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout);
});
