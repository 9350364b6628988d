// A gettext .po file as a catalog: msgid -> msgstr (or the msgstr[n] list of a
// plural). LuCI's build compiles po into .lmo and its dispatcher hands the page
// the catalog; the harness reads the .po directly (same strings, no hashing).
import { readFileSync } from 'node:fs';

export type Catalog = Record<string, string | string[]>;

export function parsePo(text: string): Catalog {
  const out: Catalog = {};
  let cur: { id?: string; str: string[]; field: string; idx: number } = { str: [], field: '', idx: 0 };
  const flush = () => {
    if (cur.id && cur.str.some((s) => s !== '')) out[cur.id] = cur.str.length > 1 ? cur.str : (cur.str[0] as string);
    cur = { str: [], field: '', idx: 0 };
  };
  for (const line of text.split('\n')) {
    const m = /^(msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$/.exec(line);
    const cont = /^(".*")\s*$/.exec(line);
    if (m) {
      if (m[1] === 'msgid') flush();
      cur.field = m[1]!.startsWith('msgstr') ? 'str' : (m[1] as string);
      cur.idx = m[2] ? Number(m[2]) : 0;
      append(cur, JSON.parse(m[3] as string) as string);
    } else if (cont) append(cur, JSON.parse(cont[1] as string) as string);
  }
  flush();
  return out;
}

function append(cur: { id?: string; str: string[]; field: string; idx: number }, s: string): void {
  if (cur.field === 'msgid') cur.id = (cur.id ?? '') + s;
  else if (cur.field === 'str') cur.str[cur.idx] = (cur.str[cur.idx] ?? '') + s;
}

export const readPo = (path: string): Catalog => parsePo(readFileSync(path, 'utf8'));
