// The fixture corpus: tricky files libuci accepts, each beside the parse it must
// give (JSON), and files it rejects, each beside the `LINE: message` it must give.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseUci } from '../../src/config/uci';
import { repoRoot } from '../support/env';
import { toPlain } from './plain';

export const fixtureDir = join(repoRoot, 'test', 'config', 'fixtures');
const read = (...p: string[]) => readFileSync(join(fixtureDir, ...p), 'utf8');
const names = (dir: string) =>
  readdirSync(join(fixtureDir, dir))
    .filter((f) => f.endsWith('.uci'))
    .map((f) => f.slice(0, -4))
    .sort();

describe('files uci accepts read the way uci reads them', () => {
  for (const name of names('valid')) {
    test(name, () => {
      const r = parseUci(read('valid', `${name}.uci`));
      assert.ok(r.ok, `rejected: ${JSON.stringify(r)}`);
      assert.deepEqual(toPlain(r.value), JSON.parse(read('valid', `${name}.json`)));
    });
  }
});

describe('files uci rejects are rejected with the line where the problem starts', () => {
  for (const name of names('invalid')) {
    test(name, () => {
      const r = parseUci(read('invalid', `${name}.uci`));
      assert.ok(!r.ok, `accepted: ${JSON.stringify(r)}`);
      assert.equal(`${r.error.line}: ${r.error.message}`, read('invalid', `${name}.expected`).trim());
    });
  }
});
