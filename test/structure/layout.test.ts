// The house rules of src/ (README "Source layout"), checked on every run: data
// flows one way, so each folder imports only from folders below it (lib at the
// bottom, shell at the top), no module imports itself back through a circle,
// no file grows past a size a reader can hold, and nothing is exported that the
// daemon never uses (a helper only tests call does not belong in the bundle).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/env';

const SRC = join(repoRoot, 'src');

/** Lower layers first; a module may import from its own folder or from a lower layer. */
const LAYERS: readonly string[][] = [['lib'], ['.'], ['providers'], ['config', 'detect', 'engine'], ['output'], ['shell'], ['main']];
const MAX_LINES = 450;
const MAX_ROOT_FILES = 3;

interface Module {
  file: string;
  folder: string;
  text: string;
  imports: { spec: string; target: string; names: string[] }[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function folderOf(file: string): string {
  const rel = relative(SRC, file);
  if (rel === 'main.ts') return 'main';
  return rel.includes('/') ? rel.split('/')[0]! : '.';
}

function resolveImport(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const c of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // next candidate
    }
  }
  return `${base}.ts`;
}

function load(): Map<string, Module> {
  const modules = new Map<string, Module>();
  for (const file of walk(SRC)) {
    const text = readFileSync(file, 'utf8');
    const imports: Module['imports'] = [];
    for (const m of text.matchAll(/import\('(\.[^']+)'\)\)\.(\w+)/g)) imports.push({ spec: m[1]!, target: resolveImport(file, m[1]!), names: [m[2]!] });
    const re = /(?:import|export)\s+(?:type\s+)?(?:\{([^}]*)\}|\*\s+as\s+\w+|\w+)?\s*(?:,\s*\{([^}]*)\})?\s*from\s+'(\.[^']+)'|require\('(\.[^']+)'\)/g;
    for (const m of text.matchAll(re)) {
      const spec = m[3] ?? m[4]!;
      const names = `${m[1] ?? ''},${m[2] ?? ''}`
        .split(',')
        .map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim())
        .filter(Boolean);
      imports.push({ spec, target: resolveImport(file, spec), names });
    }
    modules.set(file, { file, folder: folderOf(file), text, imports });
  }
  return modules;
}

const layerOf = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));

test('src/ holds at most three files at its root, and every folder is a known layer', () => {
  const modules = load();
  const root = [...modules.values()].filter((m) => m.folder === '.' || m.folder === 'main').map((m) => relative(SRC, m.file));
  assert.ok(root.length <= MAX_ROOT_FILES, `root files: ${root.join(', ')}`);
  for (const m of modules.values()) assert.notEqual(layerOf(m.folder), -1, `${relative(SRC, m.file)}: folder ${m.folder} is in no layer`);
});

test('every import runs down the layers or stays in its folder: no import runs back up or sideways', () => {
  const bad: string[] = [];
  const modules = load();
  for (const m of modules.values()) {
    for (const imp of m.imports) {
      const to = modules.get(imp.target);
      assert.ok(to, `${relative(SRC, m.file)}: import '${imp.spec}' resolves to no module`);
      if (to.folder === m.folder) continue;
      if (layerOf(to.folder) >= layerOf(m.folder)) bad.push(`${relative(SRC, m.file)} -> ${relative(SRC, to.file)}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no module imports itself back through a circle', () => {
  const modules = load();
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const imp of modules.get(file)?.imports ?? []) visit(imp.target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of modules.keys()) visit(file, []);
  assert.deepEqual(circles, []);
});

test(`no source file is longer than ${MAX_LINES} lines`, () => {
  const long = [...load().values()]
    .map((m) => [relative(SRC, m.file), m.text.split('\n').length] as const)
    .filter(([, n]) => n > MAX_LINES);
  assert.deepEqual(long, []);
});

test('nothing in src/ is exported and then used nowhere in the daemon (tests alone do not count)', () => {
  const modules = load();
  const imported = new Set<string>();
  for (const m of modules.values()) for (const imp of m.imports) for (const n of imp.names) imported.add(`${imp.target}#${n}`);
  const unused: string[] = [];
  for (const m of modules.values()) {
    for (const x of m.text.matchAll(/^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+(\w+)/gm)) {
      const name = x[1]!;
      if (imported.has(`${m.file}#${name}`)) continue;
      // used in its own module (exported for the tests as well): not dead
      if ((m.text.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length > 1) continue;
      unused.push(`${relative(SRC, m.file)}: ${name}`);
    }
  }
  assert.deepEqual(unused, []);
});
