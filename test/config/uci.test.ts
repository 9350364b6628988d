// The UCI reader and writer: what a user editing /etc/config/updyn by hand
// notices, and two properties (no input makes it throw; what it writes it reads back).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type UciOption, type UciPackage, type UciSection, parseUci, sectionAddress } from '../../src/config/uci';
import { serializeUci } from './serialize-uci';
import { repoRoot } from '../support/env';
import { withoutLines } from './plain';

function parse(text: string): UciPackage {
  const r = parseUci(text);
  assert.ok(r.ok, `unexpected error: ${JSON.stringify(r)}`);
  return r.value;
}
const opt = (text: string, option: string, section = 0) => parse(text).sections[section]?.options.get(option)?.value;

describe('reading UCI as libuci does', () => {
  test("an empty option value is no value at all (it does not even clear an earlier one)", () => {
    const pkg = parse("config service home\n\toption device 'eth0'\n\toption device ''\n\toption interface ''\n");
    assert.equal(pkg.sections[0]?.options.get('device')?.value, 'eth0');
    assert.equal(pkg.sections[0]?.options.has('interface'), false);
  });

  test('a list item may be empty', () => {
    assert.deepEqual(opt("config s x\n\tlist host ''\n", 'host'), ['']);
  });

  test('a list after an option of the same name turns it into the first item', () => {
    assert.deepEqual(opt("config s x\n\toption host a\n\tlist host b\n", 'host'), ['a', 'b']);
  });

  test('an option after a list replaces the whole list, keeping its place', () => {
    const pkg = parse('config s x\n\tlist host a\n\toption other 1\n\tlist host b\n\toption host c\n');
    assert.deepEqual([...(pkg.sections[0]?.options ?? [])].map(([k, o]) => [k, o.value]), [['host', 'c'], ['other', '1']]);
  });

  test('a reopened named section collects more options and stays where it first was', () => {
    const pkg = parse('config s a\n\toption x 1\nconfig s b\nconfig s a\n\toption y 2\n');
    assert.deepEqual(pkg.sections.map((s) => s.name), ['a', 'b']);
    assert.deepEqual([...(pkg.sections[0]?.options.keys() ?? [])], ['x', 'y']);
  });

  test('a backslash keeps the next character as it is: \\n is an n, not a newline', () => {
    assert.equal(opt('config s x\n\toption v a\\nb\n', 'v'), 'anb');
    assert.equal(opt('config s x\n\toption v "a\\nb"\n', 'v'), 'anb');
    assert.equal(opt("config s x\n\toption v 'a\\nb'\n", 'v'), 'a\\nb');
  });

  test('a quoted value may span lines and keeps the newlines', () => {
    assert.equal(opt("config s x\n\toption v 'a\nb'\n", 'v'), 'a\nb');
  });

  test('an unquoted word followed directly by ; swallows the rest of its line, as in libuci', () => {
    const pkg = parse('config s x\n\toption a 1;option b 2\n\toption c 3 ;option d 4\n');
    assert.deepEqual([...(pkg.sections[0]?.options.keys() ?? [])], ['a', 'c', 'd']);
  });

  test('the line of each statement is kept, and of each list item', () => {
    const pkg = parse('\n# c\nconfig service home\n\tlist host a\n\n\tlist host b\n\toption x "1\n2"\n\toption y 3\n');
    const s = pkg.sections[0] as UciSection;
    assert.equal(s.line, 3);
    assert.deepEqual(s.options.get('host'), { value: ['a', 'b'], line: 4, itemLines: [4, 6] } satisfies UciOption);
    assert.equal(s.options.get('x')?.line, 7);
    assert.equal(s.options.get('y')?.line, 9);
  });

  test('an unterminated quote is reported at the line that opened it', () => {
    assert.deepEqual(parseUci("config s x\n\toption a 'open\n\n\n"), { ok: false, error: { line: 2, message: "EOF with unterminated '" } });
  });

  test('a package line is read (and validated) but does not change anything else', () => {
    const pkg = parse('package updyn\nconfig s x\n');
    assert.equal(pkg.package, 'updyn');
    assert.equal(parse('config s x\n').package, undefined);
  });
});

describe('anonymous sections are named the way `uci show` names them', () => {
  test('@type[N] counts every earlier section of the same type, named or not', () => {
    const pkg = parse('config service\nconfig service home\nconfig updyn\nconfig service\n');
    assert.deepEqual(pkg.sections.map((_, i) => sectionAddress(pkg, i)), ['@service[0]', 'home', '@updyn[0]', '@service[2]']);
  });

  test('naming the cfgXXXXXX name libuci gives an anonymous section reopens that section', () => {
    // djbhash("service") % 65536 == 0x5996; the first section of the package is cfg01....
    const pkg = parse("config service\n\toption a 1\nconfig service 'cfg015996'\n\toption b 2\n");
    assert.equal(pkg.sections.length, 1);
    assert.deepEqual([...(pkg.sections[0]?.options.keys() ?? [])], ['a', 'b']);
  });
});

describe('writing UCI', () => {
  test('the output is what `uci export` writes', () => {
    const pkg = parse("package updyn\nconfig updyn global\n\toption log_level 'debug'\nconfig service\n\tlist host a\n\tlist host \"it's\"\n");
    assert.equal(
      serializeUci(pkg),
      "package updyn\n\nconfig updyn 'global'\n\toption log_level 'debug'\n\nconfig service\n\tlist host 'a'\n\tlist host 'it'\\''s'\n\n",
    );
  });

  test('every fixture reads back the same after writing it out', () => {
    const dir = join(repoRoot, 'test', 'config', 'fixtures', 'valid');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.uci'))) {
      const pkg = parse(readFileSync(join(dir, f), 'utf8'));
      assert.deepEqual(withoutLines(parse(serializeUci(pkg))), withoutLines(pkg), f);
    }
  });
});

// ---------------------------------------------------------------------------
// Properties

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.constantFrom('config', 'option', 'list', 'package', 'c', 'o', 'l', 'p', ' ', '\t', '\n', '\r\n', "'", '"', '\\', ';', '#', 'x', 'a-b', '\0'), { maxLength: 60 }).map((a) => a.join('')),
);

test('no input makes the parser throw: it always answers with a result', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const r = parseUci(text);
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) {
        assert.ok(r.error.line >= 1, `line ${r.error.line}`);
        assert.ok(r.error.message.length > 0);
      }
    }),
    { numRuns: 2000 },
  );
});

const name = fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/);
// printable ASCII without space, quote characters included (they need quoting when written)
const type = fc.string({ unit: fc.constantFrom(...Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))), minLength: 1, maxLength: 10 });
const value = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('\0'));
const optionValue = fc.oneof(value.filter((s) => s !== ''), fc.array(value, { minLength: 1, maxLength: 4 }));
const section = fc.record({
  type,
  name: fc.option(name, { nil: undefined }),
  options: fc.uniqueArray(fc.tuple(name, optionValue), { selector: ([k]) => k, maxLength: 6 }),
});
const uciPackage = fc
  .record({
    package: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), { nil: undefined }),
    // section names are unique, and none is a name libuci would give an anonymous section
    sections: fc.uniqueArray(section, { selector: (s) => s.name ?? Symbol(), maxLength: 6 }),
  })
  .filter((p) => p.sections.every((s) => s.name === undefined || !/^cfg[0-9a-f]{6}$/.test(s.name)))
  .map(
    (p): UciPackage => ({
      package: p.package,
      sections: p.sections.map((s, i) => ({
        type: s.type,
        name: s.name,
        line: i + 1,
        options: new Map(s.options.map(([k, v]) => [k, { value: v, line: 1 }])),
      })),
    }),
  );

test('whatever is written reads back the same: types, names, lists, quotes, newlines and all', () => {
  fc.assert(
    fc.property(uciPackage, (pkg) => {
      const back = parseUci(serializeUci(pkg));
      assert.ok(back.ok, JSON.stringify(back));
      assert.deepEqual(withoutLines(back.value), withoutLines(pkg));
    }),
    { numRuns: 1000 },
  );
});
