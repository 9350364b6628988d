// UCI text back from a parsed package, as `uci export` writes it: for the
// round-trip tests only (the daemon never writes UCI).
import type { UciPackage } from '../../src/config/uci';

const escape = (s: string): string => s.replace(/'/g, `'\\''`);
const quote = (s: string): string => `'${escape(s)}'`;

/**
 * The text libuci's exporter writes (`uci export`), plus the `package` header when
 * the package has a name. One difference: libuci writes a section type bare even
 * when it holds a character the parser would read otherwise (' " \ # ;), which
 * does not read back; such a type is quoted here.
 */
export function serializeUci(pkg: UciPackage): string {
  let out = pkg.package !== undefined ? `package ${escape(pkg.package)}\n` : '';
  for (const s of pkg.sections) {
    const type = /['"\\#;]/.test(s.type) ? quote(s.type) : s.type;
    out += `\nconfig ${type}`;
    if (s.name !== undefined) out += ` ${quote(s.name)}`;
    out += '\n';
    for (const [name, o] of s.options) {
      const items = Array.isArray(o.value) ? o.value : [o.value];
      const keyword = Array.isArray(o.value) ? 'list' : 'option';
      for (const v of items) out += `\t${keyword} ${name} ${quote(v)}\n`;
    }
  }
  return out + '\n';
}

