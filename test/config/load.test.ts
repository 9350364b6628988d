// Reading the config file: which file, and what a user sees when it cannot be read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configWarningsForFile, defaultConfigPath, formatConfigError, loadConfig, MAX_CONFIG_BYTES } from '../../src/config/load';
import { bundlePath, tempDir } from '../support/env';

const VALID = 'config service home\n\toption enabled 1\n\toption username me\n\toption password pw\n\tlist host a.example.com\n\toption interface wan\n';

async function failure(file: string): Promise<string[]> {
  const r = await loadConfig(file);
  assert.ok(!r.ok, 'the file was accepted');
  return r.error.map(formatConfigError);
}

function write(dir: string, name: string, content: string | Uint8Array, mode = 0o600): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

test('like libuci, the runtime copy under /var/run/uci is read when it exists', () => {
  assert.equal(defaultConfigPath(() => false), '/etc/config/updyn');
  assert.equal(defaultConfigPath((p) => p === '/var/run/uci/updyn'), '/var/run/uci/updyn');
});

// Zerigo's default update_url is plain http, which draws its own warning (schema.test.ts)
const HTTPS = `${VALID}\toption update_url 'https://update.zerigo.com/dynamic'\n`;

test('a private, valid file loads without warnings', async (t) => {
  const file = write(tempDir(t), 'updyn', HTTPS);
  const r = await loadConfig(file);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.file, file);
  assert.deepEqual(r.value.warnings, []);
  assert.deepEqual(r.value.services[0]?.host, ['a.example.com']);
});

test('a file others may read draws a warning to chmod 600 it', async (t) => {
  const file = write(tempDir(t), 'updyn', HTTPS, 0o644);
  const r = await loadConfig(file);
  assert.ok(r.ok);
  assert.deepEqual(r.value.warnings, [`${file}: readable by group or others (mode 0644) although it holds tokens; run: chmod 600 ${file}`]);
  assert.deepEqual(configWarningsForFile('f', { mode: 0o100640 }).length, 1);
  assert.deepEqual(configWarningsForFile('f', { mode: 0o100600 }), []);
  assert.deepEqual(configWarningsForFile('f', { mode: 0o100400 }), []);
});

test('a missing file is one line naming it, no stack trace', async (t) => {
  const file = join(tempDir(t), 'nope');
  assert.deepEqual(await failure(file), [`${file}: cannot read the config: no such file`]);
});

test('a directory is not a config file', async (t) => {
  const dir = join(tempDir(t), 'conf');
  mkdirSync(dir);
  assert.deepEqual(await failure(dir), [`${dir}: is a directory, not a config file`]);
});

test('an unreadable file says permission denied', async (t) => {
  const dir = tempDir(t);
  const file = write(dir, 'updyn', VALID, 0o000);
  if (process.getuid?.() !== 0) {
    assert.deepEqual(await failure(file), [`${file}: cannot read the config: permission denied`]);
    return;
  }
  // root reads any file: ask the shipped bundle as nobody instead
  chmodSync(dir, 0o755);
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bundlePath, 'check-config', '-c', file], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, `${file}: cannot read the config: permission denied\n`);
});

test('a FIFO is refused at once instead of waiting for a writer', async (t) => {
  const fifo = join(tempDir(t), 'fifo');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('no mkfifo');
  assert.deepEqual(await failure(fifo), [`${fifo}: is not a regular file`]);
});

test('a binary file is refused, naming the line of the first NUL', async (t) => {
  const file = write(tempDir(t), 'updyn', Buffer.from('config service a\n\n\0\0'));
  assert.deepEqual(await failure(file), [`${file}: not a text file: NUL byte on line 3`]);
});

test('text that is not UTF-8 is refused, naming the line', async (t) => {
  const file = write(tempDir(t), 'updyn', Buffer.concat([Buffer.from('config service a\n\toption username '), Buffer.from([0xe9, 0x0a])]));
  assert.deepEqual(await failure(file), [`${file}: not valid UTF-8 text (line 2)`]);
});

test('UTF-8 values are read as text', async (t) => {
  const file = write(tempDir(t), 'updyn', `${VALID}\toption username 'José'\n`);
  const r = await loadConfig(file);
  assert.ok(r.ok);
  assert.equal(r.value.services[0]?.username, 'José');
});

test('a byte order mark, which uci itself rejects, is explained', async (t) => {
  const file = write(tempDir(t), 'updyn', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID)]));
  assert.deepEqual(await failure(file), [`${file}: starts with a byte order mark (BOM), which uci rejects; save it as UTF-8 without BOM`]);
});

test('a huge file is refused before it is read', async (t) => {
  const file = write(tempDir(t), 'updyn', Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x23));
  assert.match((await failure(file))[0] ?? '', /: is too large for a config file/);
});

test('syntax and value errors come back as FILE:LINE lines', async (t) => {
  const file = write(tempDir(t), 'updyn', `${VALID}\toption timeout 0\n\toption x 'open\n`);
  assert.deepEqual(await failure(file), [`${file}:8: EOF with unterminated '`]);
  const file2 = write(tempDir(t), 'updyn2', `${VALID}\toption timeout 0\n`);
  assert.deepEqual(await failure(file2), [`${file2}:7: option 'timeout' in section 'home': '0' must be a whole number from 1 to 60`]);
});
