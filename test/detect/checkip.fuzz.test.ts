// Fuzzing parseCheckip: whatever a checkip server sends (it is untrusted), the
// parser answers with an address of the family asked for, canonical, or an
// error in one short printable line; it never throws and never takes long.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { parseCheckip } from '../../src/detect/checkip';
import { canonicalAddress } from '../../src/lib/ip';
import type { Family } from '../../src/types';

const family = fc.constantFrom<Family>('ipv4', 'ipv6');
const space = fc.constantFrom('', ' ', '\n', '\r\n', '\t', '\u00a0', '\u2028');
const addressLike = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.string({ unit: 'binary', maxLength: 70 }), fc.constantFrom('::ffff:203.0.113.5', 'fe80::1%eth0', '203.0.113.5/24', '01.2.3.4', '1.2.3', '::', '0x7f.1'));
// answers shaped like the real thing, bent in every place
const tag = (fam: Family) => fc.oneof({ weight: 4, arbitrary: fc.constant(fam) }, fc.constantFrom('ipv4', 'ipv6', 'IPV4', 'ip', 'ipv4 x="1"', ''));
const bent = (fam: Family) =>
  fc
    .tuple(space, tag(fam), space, addressLike, space, fc.option(tag(fam), { freq: 3 }), space)
    .map(([a, open, b, addr, c, close, d]) => `${a}<${open}>${b}${addr}${c}</${close ?? open}>${d}`);
const anyAnswer = (fam: Family) =>
  fc.oneof({ weight: 4, arbitrary: bent(fam) }, fc.string({ unit: 'binary', maxLength: 600 }), fc.string({ unit: 'grapheme', maxLength: 100 }));

test('any checkip answer: an address of the family asked for, canonical, or a one-line error', (t) => {
  let ok = 0;
  let worst = 0;
  fc.assert(
    fc.property(family.chain((fam) => fc.tuple(anyAnswer(fam), fc.constant(fam))), ([body, fam]) => {
      const started = performance.now();
      const r = parseCheckip(body, fam);
      const ms = performance.now() - started;
      worst = Math.max(worst, ms);
      assert.ok(ms < 500, `${ms.toFixed(1)} ms: never hangs`);
      if (r.ok) {
        ok++;
        assert.equal(isIP(r.value), fam === 'ipv4' ? 4 : 6, `${JSON.stringify(body)} gave ${r.value}`);
        assert.equal(canonicalAddress(fam, r.value), r.value, 'canonical');
        assert.ok(body.includes(`<${fam}>`), 'the tag said the family');
      } else {
        // quoted untrusted text: printable ASCII only, short
        assert.match(r.error, /^[\x20-\x7e…]{1,140}$/, JSON.stringify(r.error));
      }
    }),
    { numRuns: 5000 },
  );
  t.diagnostic(`5000 answers, ${ok} read as addresses, slowest ${worst.toFixed(2)} ms`);
  assert.ok(ok > 100, `only ${ok} answers were read as addresses: the generator misses the format`);
});

test('a well-formed answer is read back exactly, whatever spacing surrounds it', () => {
  fc.assert(
    fc.property(fc.oneof(fc.ipV4().map((a) => ['ipv4', a] as const), fc.ipV6().map((a) => ['ipv6', a] as const)), space, space, ([fam, addr], a, b) => {
      fc.pre(!/\u00a0|\u2028/.test(a + b)); // \s in JS takes these too; a server would not send them
      const r = parseCheckip(`${a}<${fam}>${addr}</${fam}>${b}`, fam);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value, canonicalAddress(fam, addr));
    }),
    { numRuns: 2000 },
  );
});
