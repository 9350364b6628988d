// Fuzzing the config layer beyond uci.test.ts's two properties (no input makes
// parseUci throw; a generated package round-trips). Here: text that parses keeps
// its meaning through the writer, errors point inside the file, the time stays
// linear, and the schema on top answers any parsed file with a typed result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseUci } from '../../src/config/uci';
import { serializeUci } from './serialize-uci';
import { parseConfig, SERVICE_OPTIONS } from '../../src/config/schema';
import { withoutLines } from './plain';

// UCI-shaped text: statements, quotes, escapes, comments, glued semicolons, CRLF
const piece = fc.oneof(
  fc.constantFrom('config ', 'option ', 'list ', 'package ', 'service ', 'updyn ', "'", '"', '\\', ';', '#', ' ', '\t', '\n', '\r\n', '\\\n'),
  fc.stringMatching(/^[A-Za-z0-9_.@:/-]{1,8}$/),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const uciText = fc.array(piece, { maxLength: 80 }).map((a) => a.join(''));

const lines = (text: string) => text.split('\n').length;

test('text that parses means the same after the writer has written it out', () => {
  let parsed = 0;
  fc.assert(
    fc.property(uciText, (text) => {
      const first = parseUci(text);
      if (!first.ok) return;
      parsed++;
      const again = parseUci(serializeUci(first.value));
      assert.ok(again.ok, `${JSON.stringify(text)} -> ${JSON.stringify(serializeUci(first.value))}: ${JSON.stringify(again)}`);
      assert.deepEqual(withoutLines(again.value), withoutLines(first.value));
    }),
    { numRuns: 3000 },
  );
  assert.ok(parsed > 300, `only ${parsed} of 3000 inputs parsed: the generator misses the grammar`);
});

test('an error names a line inside the file', () => {
  fc.assert(
    fc.property(uciText, (text) => {
      const r = parseUci(text);
      if (r.ok) return;
      assert.ok(r.error.line >= 1 && r.error.line <= lines(text), `line ${r.error.line} of ${lines(text)}: ${JSON.stringify(text)}`);
      assert.match(r.error.message, /^[\x20-\x7e]+$/);
    }),
    { numRuns: 3000 },
  );
});

test('parsing time grows linearly: 200 kB of any text in well under a second', () => {
  const big = fc.tuple(uciText, fc.integer({ min: 500, max: 2500 })).map(([t, n]) => t.repeat(Math.max(1, Math.ceil(n * 80 / Math.max(1, t.length)))).slice(0, 200_000));
  let worst = 0;
  fc.assert(
    fc.property(big, (text) => {
      const started = performance.now();
      parseUci(text);
      const ms = performance.now() - started;
      worst = Math.max(worst, ms);
      assert.ok(ms < 1000, `${ms.toFixed(0)} ms for ${text.length} characters`);
    }),
    { numRuns: 40 },
  );
  // one long quoted value over many lines: the buffer grows line by line, never restarts
  const long = `config service 'x'\n\toption password '${'a\n'.repeat(50_000)}'\n`;
  const started = performance.now();
  assert.ok(parseUci(long).ok);
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms for a 50 000-line value`);
});

// service sections with every known option, given values of any shape
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '0', '1', 'yes', '-1', '60', '3600', '99999999999999999999', 'http://x.example.com/', 'https://[::1]:99/u?p=[PASSWORD]', 'eth0', 'a.example.com', '(', '[DOMAIN]'),
);
const option = fc.tuple(fc.constantFrom(...SERVICE_OPTIONS.filter((o) => o !== 'name'), 'log_level', 'state_dir', 'unknown_opt'), fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })));
const quote = (v: string) => `'${v.replace(/\0/g, '').replace(/'/g, `'\\''`)}'`;
const configText = fc
  .array(fc.tuple(fc.constantFrom('service', 'updyn', 'other'), fc.option(fc.stringMatching(/^[a-z_]{1,6}$/), { nil: undefined }), fc.array(option, { maxLength: 12 })), { maxLength: 4 })
  .map((sections) =>
    sections
      .map(([type, name, opts]) =>
        [`config ${type}${name ? ` '${name}'` : ''}`, ...opts.flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `\tlist ${k} ${quote(x)}`) : [`\toption ${k} ${quote(v)}`]))].join('\n'),
      )
      .join('\n\n'),
  );

const ONE_LINE = /^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+$/;

test('the schema answers any parsed file with a config or errors, each on a line of the file, never a throw', () => {
  fc.assert(
    fc.property(configText, (text) => {
      const r = parseConfig('f.conf', text);
      if (r.ok) {
        for (const w of r.value.warnings) {
          assert.match(w, /^f\.conf(:\d+)?: /, w);
          assert.match(w, ONE_LINE, JSON.stringify(w));
        }
        for (const s of r.value.services) {
          assert.ok(s.timeout >= 1 && s.timeout <= 60);
          assert.ok(s.check_interval >= 60 && s.force_interval >= 3600);
        }
        return;
      }
      assert.ok(r.error.length > 0);
      for (const e of r.error) {
        assert.ok(e.line >= 0 && e.line <= lines(text), `line ${e.line} of ${lines(text)}`);
        // one line without control or bidi characters, whatever the value held (quoteValue escapes them)
        assert.match(e.message, ONE_LINE, JSON.stringify(e.message));
      }
    }),
    { numRuns: 2000 },
  );
});
