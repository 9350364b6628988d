// `node build/i18n.mjs`: writes openwrt/luci-app-updyn/po/templates/updyn.pot
// from every _('…') and N_(n, '…', '…') of the app's JavaScript (views and
// resources, updyn/protocols.js included), the menu titles and the ACL
// descriptions, as LuCI's i18n-scan.pl collects them. `--check` only compares
// and exits 1 when the checked-in .pot is out of date.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const appDir = join(root, 'openwrt/luci-app-updyn');
export const potPath = join(appDir, 'po/templates/updyn.pot');

const STR = String.raw`'((?:[^'\\\n]|\\.)*)'`;
const CALL = new RegExp(String.raw`\b(_|N_)\(\s*(?:(?:[^,()']|\([^()]*\))+,\s*)?${STR}(?:\s*,\s*${STR})?`, 'g');

/** a JavaScript single-quoted literal's value */
const unquote = (s) => s.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e) =>
  e[0] === 'u' || e[0] === 'x' ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ n: '\n', t: '\t' })[e] ?? e);

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

/** [{ id, plural?, refs }] in the order first seen */
export function extract() {
  const found = new Map();
  const add = (id, plural, ref) => {
    const key = `${id}\u0000${plural ?? ''}`;
    if (!found.has(key)) found.set(key, { id, plural, refs: [] });
    found.get(key).refs.push(ref);
  };
  for (const file of files(join(appDir, 'htdocs'))) {
    if (!file.endsWith('.js')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(CALL)) {
      const line = text.slice(0, m.index).split('\n').length;
      const isPlural = m[1] === 'N_';
      if (isPlural && m[3] === undefined) throw new Error(`${file}:${line}: N_ needs a singular and a plural literal`);
      add(unquote(m[2]), isPlural ? unquote(m[3]) : undefined, `${relative(appDir, file)}:${line}`);
    }
  }
  const menuFile = join(appDir, 'root/usr/share/luci/menu.d/luci-app-updyn.json');
  for (const node of Object.values(JSON.parse(readFileSync(menuFile, 'utf8')))) if (node.title) add(node.title, undefined, relative(appDir, menuFile));
  const aclFile = join(appDir, 'root/usr/share/rpcd/acl.d/luci-app-updyn.json');
  for (const group of Object.values(JSON.parse(readFileSync(aclFile, 'utf8')))) if (group.description) add(group.description, undefined, relative(appDir, aclFile));
  return [...found.values()];
}

const po = (s) => JSON.stringify(s);

export function renderPot(entries = extract()) {
  const head = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n';
  return [head, ...entries.map((e) => `#: ${e.refs.join(' ')}\nmsgid ${po(e.id)}\n${e.plural !== undefined ? `msgid_plural ${po(e.plural)}\nmsgstr[0] ""\nmsgstr[1] ""\n` : 'msgstr ""\n'}`)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = renderPot();
  if (process.argv.includes('--check')) {
    if (readFileSync(potPath, 'utf8') !== text) {
      console.error('i18n: po/templates/updyn.pot is out of date; run node build/i18n.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(potPath, text);
    console.log(`i18n: ${relative(root, potPath)}`);
  }
}
