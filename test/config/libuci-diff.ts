// Differential test against OpenWrt's own parser: the fixture corpus and random
// tricky text go through both `parseUci` and a real `uci` binary, and must agree
// on what they accept, on the parse (compared as `uci export` prints it) and on
// the error message. The binary is not in Debian: point UPDYN_LIBUCI_CLI at one
// to run this suite (UPDYN_LIBUCI_RUNS sets the number of random samples):
//   npm test -- nothing-else; UPDYN_LIBUCI_CLI=/path/uci node --test .build/test/config/libuci-diff.js
// It is not a *.test.ts file, so `npm test` does not run it: CI has no libuci.
//
// Error LINES are not compared: libuci reports the number of lines it has read
// when it gives up (past a multi-line quote, and one short on a last line without
// a newline), updyn the line where the problem starts.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseUci, type UciPackage } from '../../src/config/uci';
import { repoRoot, tempDir } from '../support/env';

const cli = process.env.UPDYN_LIBUCI_CLI;
const skip = cli ? false : 'set UPDYN_LIBUCI_CLI to a uci binary to compare with libuci';

/** What `uci export NAME` prints (file.c uci_export_package, with its header). */
function libuciExport(name: string, pkg: UciPackage): string {
  const esc = (s: string) => s.replace(/'/g, `'\\''`);
  let out = `package ${name}\n`;
  for (const s of pkg.sections) {
    out += `\nconfig ${esc(s.type)}`;
    if (s.name !== undefined) out += ` '${esc(s.name)}'`;
    out += '\n';
    for (const [k, o] of s.options) {
      if (Array.isArray(o.value)) for (const v of o.value) out += `\tlist ${k} '${esc(v)}'\n`;
      else out += `\toption ${k} '${esc(o.value)}'\n`;
    }
  }
  return out + '\n';
}

type Verdict = { ok: true; text: string } | { ok: false; message: string };

function compare(t: TestContext) {
  const dir = tempDir(t);
  const conf = join(dir, 'conf');
  const save = join(dir, 'save');
  mkdirSync(conf);
  mkdirSync(save);
  return (src: string): void => {
    writeFileSync(join(conf, 'q'), src);
    const r = spawnSync(cli as string, ['-c', conf, '-P', save, 'export', 'q'], { encoding: 'utf8' });
    const m = /Parse error \((.*)\) at line \d+/.exec(r.stderr);
    const theirs: Verdict = m ? { ok: false, message: m[1] ?? '' } : { ok: true, text: r.stdout };
    if (theirs.ok) assert.equal(r.status, 0, r.stderr);
    const parsed = parseUci(src);
    const ours: Verdict = parsed.ok ? { ok: true, text: libuciExport('q', parsed.value) } : { ok: false, message: parsed.error.message };
    assert.deepEqual(ours, theirs, JSON.stringify(src));
  };
}

test('every fixture reads as libuci reads it', { skip }, (t) => {
  const check = compare(t);
  for (const kind of ['valid', 'invalid']) {
    const dir = join(repoRoot, 'test', 'config', 'fixtures', kind);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.uci'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      if (src.includes('\0')) continue; // a deliberate difference: updyn rejects NUL outright
      check(src);
    }
  }
});

const fragments = [
  'config', 'c', 'option', 'o', 'list', 'l', 'package', 'p', 'conf', 'options',
  'a', 'b', 'host', 'x_1', 'svc', 'bad-name', 'cfg01b60c', 'cfg02b60c', 't.y', 'é',
  ' ', ' ', ' ', '\t', '\n', '\n', '\n', '\r\n', '\v', '\\', '\\\n', '\\\r\n',
  "'", "'", '"', '"', ';', ';', '#', "''", '""', "'a b'", '"c\\"d"', "it'\\''s",
];
const soup = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...fragments) }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) }), { maxLength: 40 })
  .map((parts) => parts.join('').replace(/\0/g, ''));
// Mostly well-formed lines with one twist each, so that many samples parse.
const line = fc
  .tuple(
    fc.constantFrom('config svc', "config 'svc' 'home'", 'option host a', "list host 'a'", 'o x "y z"', 'c t', 'l h ""', 'package q'),
    fc.constantFrom('', ' ', ';', ' ;', '#c', ' extra', '\\', "'", '"', '\r', "'x'y", ';option k v', '; list k v', '\\\n more'),
  )
  .map(([a, b]) => a + b);
const fileText = fc.oneof(soup, fc.array(line, { maxLength: 12 }).map((ls) => ls.join('\n') + '\n'));

test('random tricky text reads as libuci reads it', { skip }, (t) => {
  const check = compare(t);
  fc.assert(fc.property(fileText, (src) => check(src)), { numRuns: Number(process.env.UPDYN_LIBUCI_RUNS ?? 3000) });
});
