// `npm run demo`: the test provider on loopback and updyn against it, with no
// account anywhere. The provider plays a router behind NAT (its checkip answers
// a documentation address), so the demo needs no root and no real network.
//   1. `updyn once` registers A and AAAA      2. `updyn once` again sends nothing
//   3. `updyn run` starts (nothing to send)   4. the "public" address changes; SIGUSR2
//   5. the daemon updates A only              6. `updyn status`, SIGTERM
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compileTests, root } from './compile-tests.mjs';

const updyn = join(root, 'dist/updyn.js');
const dir = mkdtempSync(join(tmpdir(), 'updyn-demo-'));
const children = [];
const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const say = (text) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

await compileTests(['test/provider']);
say('starting the test provider on 127.0.0.1 and ::1');
const provider = spawn(process.execPath, [
  join(root, '.build/test/provider/cli.js'),
  '--listen', '127.0.0.1:0', '--listen', '[::1]:0',
  '--checkip4', '203.0.113.10', '--checkip6', '2001:db8::10',
], { stdio: ['ignore', 'pipe', 'inherit'] });
children.push(provider);
const first = await Promise.race([
  new Promise((resolve) => createInterface({ input: provider.stdout }).once('line', resolve)),
  sleep(10_000).then(() => null),
]);
if (!first) throw new Error('the test provider did not start within 10 s');
const { url, url6 } = JSON.parse(first);
const base6 = url6 ?? url;
console.log(`provider at ${url}${url6 ? ` and ${url6}` : ''}`);

const conf = join(dir, 'updyn.conf');
writeFileSync(conf, `config updyn 'global'
	option log_level 'info'
	option state_dir '${dir}/state'

config service 'demo'
	option enabled '1'
	option update_url '${url}/dynamic'
	option username 'login@example.com'
	option password 'f7f9c95662ebc538'
	list host 'example.zerigo.com'
	option device 'lo'
	option ip_source 'checkip'
	option checkip4_url '${url}/checkip4'
	option checkip6_url '${base6}/checkip6'
	option timeout '5'
`, { mode: 0o600 });
console.log(`config: ${conf}`);

const runUpdyn = (...args) => spawnSync(process.execPath, [updyn, ...args], { stdio: 'inherit', timeout: 30_000 }).status;

say('updyn once: registers A and AAAA');
console.log(`exit code ${runUpdyn('once', '-c', conf)}`);
say('updyn once again: the provider already has both addresses, nothing is sent');
console.log(`exit code ${runUpdyn('once', '-c', conf)}`);

say('updyn run: the daemon');
const daemon = spawn(process.execPath, [updyn, 'run', '-c', conf], { stdio: 'inherit' });
children.push(daemon);
await sleep(1500);

say('the public IPv4 address changes to 203.0.113.99; SIGUSR2 asks the daemon to re-check');
await fetch(`${url}/_control/checkip`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ family: 'ipv4', address: '203.0.113.99' }),
});
daemon.kill('SIGUSR2');
await sleep(1500);

say('updyn status');
runUpdyn('status', '-c', conf);

say('what the provider received');
const requests = await (await fetch(`${url}/_control/requests`)).json();
for (const r of requests.filter((x) => x.endpoint === 'update')) {
  console.log(`  ${r.wallIso}  ${r.record ?? '?'}  host=${r.host}  ip=${r.ip}  -> ${r.status}`);
}

say('SIGTERM: the daemon stops cleanly');
const exited = daemon.exitCode !== null ? Promise.resolve(daemon.exitCode) : new Promise((r) => daemon.once('exit', r));
daemon.kill('SIGTERM');
const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout')]);
console.log(`daemon exit code ${code}`);
provider.kill('SIGTERM');
