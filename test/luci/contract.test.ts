// What the status page and the Overview include read is the real
// `updyn status --json` (the bundle as shipped): the fields they use, the
// words they key on, and no token, with a state_dir that is not the default.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runUpdyn } from '../support/updyn';
import { TOKEN, fixtures } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'updyn-luci-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const state = join(dir, 'elsewhere');
const config = join(dir, 'updyn');
writeFileSync(config, `config updyn 'global'\n\toption state_dir '${state}'\n\nconfig service 'home'\n\toption enabled '0'\n\toption password '${TOKEN}'\n`);

test('with no report yet, updyn status --json says "no status yet", which the page keys on', async () => {
  const r = await runUpdyn(['status', '--json', '-c', config]);
  assert.deepEqual(JSON.parse(r.stdout), { error: 'no status yet: updyn has not run' });
});

test('a report under a non-default state_dir comes back whole, with running, and without the token', async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(state, { recursive: true });
  const doc = fixtures.several(process.pid);
  writeFileSync(join(state, 'status.json'), JSON.stringify(doc));
  const r = await runUpdyn(['status', '--json', '-c', config]);
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(out, { ...doc, running: true });
  assert.ok(!r.stdout.includes(TOKEN));
});

test('a broken config prints nothing on stdout, which the page reports as unreadable configuration', async () => {
  writeFileSync(join(dir, 'broken'), "config service 'x'\n\toption timeout '600'\n");
  const r = await runUpdyn(['status', '--json', '-c', join(dir, 'broken')]);
  assert.equal(r.stdout, '');
  assert.notEqual(r.code, 0);
});
