// The provider as a process: one JSON line when listening, a log on stderr, clean stops, controls
// over stdin/stdout, and the same from inside a network namespace.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import { builtPath, needsNetns } from '../support/env';
import { parseCli } from './cli-args';
import { AUTH, basic, get, HOST } from './client';
import { spawnProvider } from './remote';
import type { ProviderInfo } from './types';

const CLI = builtPath('test/provider/cli');

/** The cli as a bare process (no spawnProvider), its JSON line, and a way to wait for its exit. */
async function bare(t: TestContext, args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | string | null>((r) => child.once('exit', (code, sig) => r(code ?? sig)));
  t.after(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const line = await within(5000, new Promise<string>((r) => createInterface({ input: child.stdout }).once('line', r)), 'the JSON line');
  return { child, info: JSON.parse(line) as ProviderInfo, exit, stderr: () => stderr };
}

function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

test('the cli prints one JSON line when listening, logs requests on stderr, and exits 0 on SIGTERM', async (t) => {
  const { child, info, exit, stderr } = await bare(t, []);
  assert.equal(info.url, `http://127.0.0.1:${info.port}`);
  assert.equal(info.url6, `http://[::1]:${info.port}`);
  assert.equal((await get(`${info.url}/dynamic?host=${HOST}&ip=203.0.113.5`, { headers: AUTH })).status, 200);
  await within(2000, (async () => { while (!stderr().includes('\n')) await new Promise((r) => setTimeout(r, 10)); })(), 'log line');
  assert.match(stderr(), /#1 GET \/dynamic\?host=example\.zerigo\.com&ip=203\.0\.113\.5 from 127\.0\.0\.1 -> 200 Status: 200/);
  child.kill('SIGTERM');
  assert.equal(await within(5000, exit, 'exit'), 0);
});

test('SIGINT stops it too, even with a client left hanging; --quiet logs nothing', async (t) => {
  const { child, info, exit, stderr } = await bare(t, ['--quiet']);
  assert.equal((await get(`${info.url}/checkip`)).status, 200);
  // the hanging client: a request on a mode set over HTTP controls
  await get(`${info.url}/_control/mode`, { method: 'POST', body: JSON.stringify({ endpoint: 'checkip', mode: { kind: 'hang' } }) });
  const hanging = assert.rejects(get(`${info.url}/checkip`, { timeoutMs: 5000 }), /socket hang up|ECONNRESET/);
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  assert.equal(await within(3000, exit, 'exit'), 0);
  await hanging;
  assert.equal(stderr(), '');
});

test('bad usage exits 2 with a message; a port in use exits 1', async (t) => {
  for (const args of [['--nope'], ['--listen'], ['--listen', 'host:port'], ['--account', 'user-only'], ['--checkip4', 'nope']]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^provider: /);
    assert.equal(r.stdout, '');
  }
  const { info } = await bare(t, ['--quiet', '--listen', '127.0.0.1:0']);
  const taken = spawnSync(process.execPath, [CLI, '--listen', `127.0.0.1:${info.port}`], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(taken.status, 1);
  assert.match(taken.stderr, /EADDRINUSE/);
});

test('spawnProvider: options reach the provider, and the controls work over stdin/stdout', async (t) => {
  const p = await spawnProvider([
    '--listen', '127.0.0.1:0',
    '--account', 'a@example.com:tok:a.example.com,b.example.com',
    '--account', 'off@example.com:t:c.example.com:disabled',
    '--checkip4', '203.0.113.50',
  ]);
  t.after(() => p.stop());
  assert.equal(p.url6, undefined);
  assert.equal((await get(`${p.url}/checkip`)).body, '<ipv4>203.0.113.50</ipv4>');
  assert.equal((await get(`${p.url}/dynamic?host=b.example.com&ip=203.0.113.7`, { headers: { Authorization: basic('a@example.com', 'tok') } })).status, 200);
  assert.equal((await get(`${p.url}/dynamic?host=c.example.com`, { headers: { Authorization: basic('off@example.com', 't') } })).status, 403);
  assert.equal((await get(`${p.url}/dynamic?host=${HOST}`, { headers: AUTH })).status, 401, 'the default account is gone');
  assert.deepEqual(await p.records(), new Map([['b.example.com', { A: '203.0.113.7' }]]));
  await p.setMode('update', { kind: 'status', status: 503, times: 1 });
  assert.equal((await get(`${p.url}/dynamic?host=b.example.com`, { headers: { Authorization: basic('a@example.com', 'tok') } })).status, 503);
  const all = await p.waitForRequests(5, 2000);
  assert.deepEqual(all.map((r) => r.status), [200, 200, 403, 401, 503]);
  assert.match(p.stderr(), /-> 503 \[status\]/);
  await p.stop();
  await assert.rejects(p.requests(), /exited/);
});

test('a spawned provider exits when its parent goes away (stdin closes)', async () => {
  const child = spawn(process.execPath, [CLI, '--quiet', '--control-stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await within(5000, new Promise((r) => createInterface({ input: child.stdout }).once('line', r)), 'the JSON line');
    child.stdin.end();
    assert.equal(await within(3000, exit, 'exit'), 0);
  } finally {
    child.kill('SIGKILL');
  }
});

test('spawnProvider fails clearly, and bounded, when the cli cannot start', async () => {
  await assert.rejects(spawnProvider(['--bogus']), /exited \(2\) before listening; stderr:\nprovider: unknown argument "--bogus"/);
  await assert.rejects(spawnProvider([], { cliPath: '/nonexistent.js', timeoutMs: 3000 }), /spawnProvider: .*(exited|no JSON line)/);
});

test('inside a network namespace: spawned with ip netns exec, reached over stdio', async (t) => {
  if (!needsNetns(t)) return;
  const ns = `updyn-prov-${process.pid}`;
  const ip = (...args: string[]) => {
    const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  };
  ip('netns', 'add', ns);
  t.after(() => void spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 }));
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  const p = await spawnProvider(['--quiet'], { netns: ns });
  t.after(() => p.stop());
  // A client in the namespace: the provider's loopback is the namespace's own.
  const script = `fetch(${JSON.stringify(`${p.url6}/checkip6`)}).then(r => r.text()).then(t => process.stdout.write(t), () => process.exit(3))`;
  const client = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(client.stdout, '<ipv6>::1</ipv6>', client.stderr);
  const [seen] = await p.waitForRequests(1, 3000);
  assert.equal(seen?.path, '/checkip6');
  assert.ok(seen && seen.clockMs > 0);
  await p.stop();
});

test('parseCli reads every option', () => {
  assert.deepEqual(
    parseCli(['--listen', '0.0.0.0:8080', '--listen', '[::]:8080', '--listen', '::1', '--account', 'u@x.com:t:a.x.com,b.x.com:disabled', '--checkip6', '2001:db8::1', '--quiet']),
    {
      listen: [{ host: '0.0.0.0', port: 8080 }, { host: '::', port: 8080 }, { host: '::1', port: 0 }],
      accounts: [{ user: 'u@x.com', token: 't', hosts: ['a.x.com', 'b.x.com'], updatesEnabled: false }],
      checkip6: '2001:db8::1',
      quiet: true,
      controlStdio: false,
    },
  );
  assert.throws(() => parseCli(['--account', 'u:t:h:enabled']), /want USER:TOKEN/);
  assert.throws(() => parseCli(['--listen', '1.2.3.4:99999']), /want HOST:PORT/);
});
