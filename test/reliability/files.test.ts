// The state directory on a bad day: read-only, full, or holding a state file
// that is cut short, corrupt, of another shape, or a directory. updyn never
// crashes on it, never loses the state file it had, and never lets a lost state
// turn into a request storm: without a place to remember, `once` (run by cron
// every minute) sends nothing rather than re-sending at every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvider } from '../provider/server';
import { tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { Daemon } from '../support/updyn';
import { runUpdyn } from '../support/updyn';
import { USER, conf, measuredRun, output, privateMount, sleep } from './support';

const HOST = 'example.zerigo.com';
const ID = `home/${HOST}/ipv4`;

async function setup(t: import('node:test').TestContext) {
  const provider = await startProvider({ accounts: [{ user: USER, token: TOKEN, hosts: [HOST] }] });
  t.after(() => provider.stop());
  provider.setCheckipAnswer('ipv4', '203.0.113.5');
  const dir = tempDir(t);
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  const file = join(dir, 'updyn.conf');
  writeFileSync(file, conf({ stateDir, services: [{ updateUrl: `${provider.url}/dynamic`, checkip: provider.url, token: TOKEN, ipv6: false }] }), { mode: 0o600 });
  const updates = () => provider.requests.filter((r) => r.endpoint === 'update');
  return { provider, dir, stateDir, file, updates };
}

const readOr = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
};

/** Waits (bounded) for `cond`, polling. */
async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const noStack = (text: string) => assert.doesNotMatch(text, /\n\s+at |internal error/, text);

test('a state file cut short, corrupt, empty, of another shape or a directory: set aside, said once, and the run goes on', async (t) => {
  const s = await setup(t);
  const first = await measuredRun(['once', '-c', s.file], s.dir);
  assert.equal(first.code, 0, output(first));
  const good = readFileSync(join(s.stateDir, 'state.json'), 'utf8');
  const cases: [string, (p: string) => void, string][] = [
    ['cut in half', (p) => writeFileSync(p, good.slice(0, good.length >> 1)), 'not valid JSON'],
    ['random bytes', (p) => writeFileSync(p, Buffer.from([0xff, 0x00, 0x7b, 0x22, 0x9b, 0x1b, 0x5b])), 'not valid JSON'],
    ['empty', (p) => writeFileSync(p, ''), 'empty file'],
    ['a JSON array', (p) => writeFileSync(p, '[1,2,3]'), 'not an updyn state file'],
    ['null', (p) => writeFileSync(p, 'null'), 'not an updyn state file'],
    ['a directory', (p) => mkdirSync(p), 'it is a directory'],
  ];
  for (const [name, spoil, reason] of cases) {
    const path = join(s.stateDir, 'state.json');
    rmSync(path, { recursive: true, force: true });
    spoil(path);
    const r = await measuredRun(['once', '-c', s.file], s.dir);
    noStack(output(r));
    assert.equal(r.code, 0, `${name}: ${output(r)}`);
    const line = new RegExp(`^state: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is unusable \\(${reason}\\); moved to ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.corrupt-\\S+; starting afresh$`, 'm');
    assert.match(r.stderr, line, name);
    const back = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(back.records[ID].registered, '203.0.113.5', `${name}: rebuilt`);
  }
  // each spoiled file is kept for a post-mortem, never deleted
  assert.equal(readdirSync(s.stateDir).filter((f) => f.startsWith('state.json.corrupt-')).length, cases.length);
  // starting afresh re-sent the address each time (the provider got it again): that is the cost, and all of it
  assert.equal(s.updates().length, 1 + cases.length);
});

test('records with values of the wrong type or out of range are read as far as they make sense', async (t) => {
  const s = await setup(t);
  const weird = {
    version: 1,
    written_at: 'yesterday',
    records: {
      [ID]: { registered: 'not-an-ip', tokens: 1e9, tokens_at: 'soon', failures: 'many', rejected: 'yes', refresh_spread_s: -5, last_message: 42 },
      'other/x.example.com/ipv4': 17,
    },
  };
  writeFileSync(join(s.stateDir, 'state.json'), JSON.stringify(weird));
  const r = await measuredRun(['once', '-c', s.file], s.dir);
  noStack(output(r));
  assert.equal(r.code, 0, output(r));
  assert.equal(s.updates().length, 1, 'an unusable registration is no registration: sent once');
  const rec = JSON.parse(readFileSync(join(s.stateDir, 'state.json'), 'utf8')).records[ID];
  assert.equal(rec.registered, '203.0.113.5');
  assert.ok(rec.tokens <= 3, `tokens ${rec.tokens}`);
});

test('a read-only state directory: once sends nothing and says why; the daemon keeps its state in memory and keeps working', async (t) => {
  const s = await setup(t);
  const m = await privateMount(t, s.stateDir, '64k');
  if (!m) return;
  assert.equal((await m.sh(`mount -o remount,ro ${s.stateDir}`)).code, 0);
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await runUpdyn(['once', '-c', s.file], { prefix: m.enter }));
  for (const r of runs) {
    noStack(output(r));
    assert.equal(r.code, 1, output(r));
    assert.match(r.stderr, new RegExp(`^state: cannot write ${s.stateDir}/state\\.json: read-only file system; keeping state in memory only$`, 'm'));
    assert.match(r.stderr, /^once: nothing sent: the state cannot be saved, so every run would send again; fix state_dir$/m);
  }
  assert.equal(s.updates().length, 0, 'three cron runs without memory: no request storm');

  // re-checks one after another: wake-ups unthrottled (10 s apart by default, signals.test.ts)
  const d = new Daemon(['-c', s.file], { prefix: m.enter, env: { UPDYN_WAKE_INTERVAL_MS: '0' } });
  t.after(() => d.stop());
  await d.waitFor(/A: updated 203\.0\.113\.5 \(HTTP 200/);
  s.provider.setCheckipAnswer('ipv4', '203.0.113.6');
  d.signal('SIGUSR2');
  await d.waitFor(/A: updated 203\.0\.113\.5 -> 203\.0\.113\.6 \(HTTP 200/);
  d.signal('SIGUSR2');
  await sleep(300);
  assert.equal(s.updates().length, 2, 'dedup holds from memory');
  const warned = d.lines.filter((l) => /^state: cannot write .*read-only file system; keeping state in memory only$/.test(l));
  assert.equal(warned.length, 1, 'said once, not at every write');
  assert.equal((await d.stop()).code, 0);
});

test('a full disk: the old state file stays whole, once sends nothing until there is room, then carries on', async (t) => {
  const s = await setup(t);
  const m = await privateMount(t, s.stateDir, '16k');
  if (!m) return;
  const first = await runUpdyn(['once', '-c', s.file], { prefix: m.enter });
  assert.equal(first.code, 0, output(first));
  const before = readFileSync(join(m.outside, 'state.json'), 'utf8');
  // status.json would give up its room for the state (next test): no room at all here
  await m.sh(`rm ${s.stateDir}/status.json; dd if=/dev/zero of=${s.stateDir}/fill bs=1024 2>/dev/null; exit 0`);
  assert.equal((await m.sh(`df -k ${s.stateDir} | tail -1`)).stdout.trim().split(/\s+/)[3], '0', 'the tmpfs is full');

  s.provider.setCheckipAnswer('ipv4', '203.0.113.6');
  for (let i = 0; i < 3; i++) {
    const r = await runUpdyn(['once', '-c', s.file], { prefix: m.enter });
    noStack(output(r));
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^state: cannot write ${s.stateDir}/state\\.json: no space left on device; keeping state in memory only$`, 'm'));
  }
  assert.equal(s.updates().length, 1, 'no request while nothing can be remembered');
  assert.equal(readFileSync(join(m.outside, 'state.json'), 'utf8'), before, 'the old state file is intact');
  assert.deepEqual(readdirSync(m.outside).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');

  await m.sh(`rm ${s.stateDir}/fill`);
  const after = await runUpdyn(['once', '-c', s.file], { prefix: m.enter });
  assert.equal(after.code, 0, output(after));
  assert.match(after.stdout, /A: updated 203\.0\.113\.5 -> 203\.0\.113\.6/);
  assert.equal(JSON.parse(readFileSync(join(m.outside, 'state.json'), 'utf8')).records[ID].registered, '203.0.113.6');
});

test('the daemon on a full disk keeps serving from memory, warns once, and writes again when there is room', async (t) => {
  const s = await setup(t);
  const m = await privateMount(t, s.stateDir, '16k');
  if (!m) return;
  // re-checks one after another: wake-ups unthrottled (10 s apart by default, signals.test.ts)
  const d = new Daemon(['-c', s.file], { prefix: m.enter, env: { UPDYN_WAKE_INTERVAL_MS: '0' } });
  t.after(() => d.stop());
  await d.waitFor(/A: updated 203\.0\.113\.5 \(HTTP 200/);
  // the daemon's last write after that answer is done (status.json shows it), so nothing rewrites status.json below
  await until(() => /"last_result": "ok"/.test(readOr(join(m.outside, 'status.json'))), 'status.json written after the answer');
  await m.sh(`rm ${s.stateDir}/status.json; dd if=/dev/zero of=${s.stateDir}/fill bs=1024 2>/dev/null; exit 0`);
  // two changes while full, one after: three tokens' worth, so the rate limit stays out of the picture
  for (const ip of ['203.0.113.6', '203.0.113.7']) {
    s.provider.setCheckipAnswer('ipv4', ip);
    d.signal('SIGUSR2');
    await d.waitFor(new RegExp(`A: updated \\S+ -> ${ip.replace(/\./g, '\\.')} \\(HTTP 200`));
  }
  const warned = d.lines.filter((l) => /^state: cannot write .*no space left on device; keeping state in memory only$/.test(l));
  assert.equal(warned.length, 1, d.lines.join('\n'));
  await m.sh(`rm ${s.stateDir}/fill`);
  s.provider.setCheckipAnswer('ipv4', '203.0.113.8');
  d.signal('SIGUSR2');
  await d.waitFor(/^state: \S+state\.json writable again$/);
  await d.waitFor(/A: rate limited; 203\.0\.113\.8 will be sent at \d\d:\d\d/);
  assert.equal(s.updates().length, 3, 'three changes, three tokens, and no more');
  assert.equal((await d.stop()).code, 0);
  // everything learnt while the disk was full reached the file once there was room
  const rec = JSON.parse(readFileSync(join(m.outside, 'state.json'), 'utf8')).records[ID];
  assert.equal(rec.registered, '203.0.113.7');
  assert.ok(rec.tokens < 0.1, `tokens ${rec.tokens}`);
});

test('a state directory with room for two files: status.json gives up its space, and every update is still saved and sent', async (t) => {
  const s = await setup(t);
  // 8 KiB of tmpfs: two pages, one for state.json and one for status.json; a
  // new state.json (written beside the old one, then renamed) needs a third
  const m = await privateMount(t, s.stateDir, '8k');
  if (!m) return;
  const first = await runUpdyn(['once', '-c', s.file], { prefix: m.enter });
  assert.equal(first.code, 0, output(first));
  assert.deepEqual(readdirSync(m.outside).sort(), ['state.json', 'status.json']);
  // the first send, a change by once, one by the daemon: three tokens, so the rate limit stays out of the picture
  for (const ip of ['203.0.113.6']) {
    s.provider.setCheckipAnswer('ipv4', ip);
    const r = await runUpdyn(['once', '-c', s.file], { prefix: m.enter });
    noStack(output(r));
    assert.equal(r.code, 0, `${ip}: ${output(r)}`);
    assert.match(r.stdout, new RegExp(`A: updated \\S+ -> ${ip.replace(/\./g, '\\.')} `));
    assert.match(r.stderr, new RegExp(`^state: ${s.stateDir} is full; removed status\\.json to make room for state\\.json$`, 'm'));
    assert.equal(JSON.parse(readFileSync(join(m.outside, 'state.json'), 'utf8')).records[ID].registered, ip);
    // status.json comes back after the state, in the room the state left
    assert.equal(JSON.parse(readFileSync(join(m.outside, 'status.json'), 'utf8')).services[0].records[0].registered, ip);
  }
  assert.equal(s.updates().length, 2);

  // the daemon too: each change saved and sent, status.json there at the end
  // re-checks one after another: wake-ups unthrottled (10 s apart by default, signals.test.ts)
  const d = new Daemon(['-c', s.file], { prefix: m.enter, env: { UPDYN_WAKE_INTERVAL_MS: '0' } });
  t.after(() => d.stop());
  await d.waitFor(/A: address 203\.0\.113\.6 \(checkip/);
  s.provider.setCheckipAnswer('ipv4', '203.0.113.9');
  d.signal('SIGUSR2');
  await d.waitFor(/A: updated 203\.0\.113\.6 -> 203\.0\.113\.9 \(HTTP 200/);
  assert.equal((await d.stop()).code, 0);
  assert.ok(!d.lines.some((l) => /cannot write/.test(l)), d.lines.join('\n'));
  assert.equal(JSON.parse(readFileSync(join(m.outside, 'state.json'), 'utf8')).records[ID].registered, '203.0.113.9');
  assert.equal(JSON.parse(readFileSync(join(m.outside, 'status.json'), 'utf8')).services[0].records[0].registered, '203.0.113.9');
});
