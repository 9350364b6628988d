// Translations: po/templates/updyn.pot is what build/i18n.mjs extracts from
// the views, resources (protocols.js included), menu and ACL today, and the
// German catalog translates every string of it, placeholders intact.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/env';
import { parsePo } from './harness/po';
import { appDir } from './harness/server';

const pot = () => readFileSync(join(appDir, 'po/templates/updyn.pot'), 'utf8');
const ids = (text: string) => [...text.matchAll(/^msgid (".*")$/gm)].map((m) => JSON.parse(m[1] as string) as string).filter((s) => s !== '');
const placeholders = (s: string) => (s.match(/%[sdhqxf]/g) ?? []).join(' ');

test('the .pot is exactly what build/i18n.mjs extracts now', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'build/i18n.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('every string the views show is in the .pot, counts as plurals', () => {
  const all = ids(pot());
  for (const s of ['Updates left this hour', 'not running', 'Start', 'from a web service', 'Log', 'Cloudflare', 'TSIG secret',
    'Grant access to the updyn configuration (holds update tokens)']) assert.ok(all.includes(s), s);
  for (const s of ['%d day', '%d update', '%d line']) assert.match(pot(), new RegExp(`msgid "${s}"\\nmsgid_plural "${s}s"`));
  // no hand-built plural left in the sources
  assert.doesNotMatch(pot(), /msgid "1 day"|\(s\)/);
});

test('the German catalog translates every string, with the same placeholders', () => {
  const de = parsePo(readFileSync(join(appDir, 'po/de/updyn.po'), 'utf8'));
  const missing = ids(pot()).filter((id) => !(id in de));
  assert.deepEqual(missing, []);
  assert.deepEqual(Object.keys(de).filter((id) => !ids(pot()).includes(id)), [], 'no stale entries');
  for (const [id, tr] of Object.entries(de)) {
    for (const t of Array.isArray(tr) ? tr : [tr]) assert.equal(placeholders(t), placeholders(id), `${id} -> ${t}`);
  }
});
