// UCI file syntax exactly as OpenWrt's libuci reads it in strict mode (its default,
// and what `uci` and the init script use). The parser is a line-for-line port of
// libuci's file.c on a character buffer, because libuci's quirks fall out of its
// buffer handling and are easier to keep faithful by porting than by re-deriving
// a grammar (e.g. an unquoted `word;` swallows the rest of its line, while
// `'word';` or `word ;` go on to the next command).
//
// Deliberate differences: a NUL character is an error (libuci's fgets/strlen
// mangle such lines), and error lines are where the problem starts (libuci
// reports the line it had read up to, one too few on a last line without '\n').
import { type Result, ok, err } from '../types';

export interface UciOption {
  value: string | string[];
  /** The line of the statement that set the value (for a list: its first item). */
  line: number;
  /** For a list: the line of each item. */
  itemLines?: number[];
}

export interface UciSection {
  type: string;
  /** undefined for an anonymous section */
  name: string | undefined;
  /** the line of the `config` statement that opened it */
  line: number;
  options: Map<string, UciOption>;
}

export interface UciPackage {
  /** from a `package NAME` line, if any (libuci's loader validates and ignores it) */
  package: string | undefined;
  sections: UciSection[];
}

export interface UciError {
  line: number;
  message: string;
}

/** Parses UCI text; never throws. */
export function parseUci(text: string): Result<UciPackage, UciError> {
  const nul = text.indexOf('\0');
  if (nul >= 0) return err({ line: lineNumberAt(text, nul), message: 'invalid character (NUL byte)' });
  try {
    return ok(new Parser(text).run());
  } catch (e) {
    if (e instanceof UciParseError) return err({ line: e.line, message: e.message });
    throw e;
  }
}

/** How `uci show` addresses section `index`: its name, or `@type[N]` counting sections of that type. */
export function sectionAddress(pkg: UciPackage, index: number): string {
  const s = pkg.sections[index];
  if (s === undefined) throw new RangeError(`no section ${index}`);
  if (s.name !== undefined) return s.name;
  let n = 0;
  for (let i = 0; i < index; i++) if (pkg.sections[i]?.type === s.type) n++;
  return `@${s.type}[${n}]`;
}

/** libuci's name rule (uci_validate_name): option and section names. */
export const isUciName = (s: string): boolean => /^[A-Za-z0-9_]+$/.test(s);
/** libuci's type rule (uci_validate_type): printable ASCII, no space. */
export const isUciType = (s: string): boolean => /^[\x21-\x7e]+$/.test(s);
/** libuci's package-name rule (uci_validate_package). */
export const isUciPackageName = (s: string): boolean => /^[A-Za-z0-9_-]+$/.test(s);

// ---------------------------------------------------------------------------

function lineNumberAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

class UciParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const NUL = 0;
const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const SQUOTE = 39;
const SEMICOLON = 59;
const BACKSLASH = 92;

/** C isspace() in the C locale. */
const isSpace = (c: number): boolean => c === SPACE || (c >= TAB && c <= CR);

interface Section extends UciSection {
  /** libuci's lookup key: the name, or the `cfgXXYYYY` it generates for an anonymous section */
  ident: string;
}

/** The state of libuci's uci_parse_context, with a source line for each buffer position. */
class Parser {
  private readonly lines: string[];
  private nextLine = 0;
  /** character codes; 0 terminates a string, as in C */
  private buf: number[] = [];
  /** for each buffer position, the file line its character came from */
  private lineOf: number[] = [];
  private filled = 0;
  private pos = 0;
  /** the line of the command being parsed */
  private cmdLine = 0;
  private readonly sections: Section[] = [];
  private section: Section | undefined;
  private packageName: string | undefined;
  private sectionCount = 0;

  constructor(text: string) {
    this.lines = text.split(/(?<=\n)/).filter((l) => l !== '');
  }

  run(): UciPackage {
    // uci_import: one physical line at a time; commands may pull in more lines
    while (this.nextLine < this.lines.length) {
      this.pos = 0;
      this.getln(0);
      if (this.buf[0] !== NUL) this.parseLine();
    }
    return {
      package: this.packageName,
      sections: this.sections.map(({ type, name, line, options }) => ({ type, name, line, options })),
    };
  }

  // --- buffer primitives (uci_getln and the pctx_* macros) ---

  private char(i: number): number {
    return this.buf[i] ?? NUL;
  }
  private cur(): number {
    return this.char(this.pos);
  }
  private str(i: number): string {
    let end = i;
    while (this.char(end) !== NUL) end++;
    return this.text(i, end);
  }
  private text(from: number, to: number): string {
    let s = '';
    for (let i = from; i < to; i++) s += String.fromCharCode(this.char(i));
    return s;
  }
  /** The line the character at `i` came from (past the end: the last line read). */
  private lineAt(i: number): number {
    return this.lineOf[i] ?? this.nextLine;
  }
  private fail(message: string, line: number): never {
    throw new UciParseError(message, line);
  }

  /** Appends the next physical line at `offset`; at EOF leaves an empty string there. */
  private getln(offset: number): void {
    const text = this.lines[this.nextLine];
    if (text === undefined) {
      this.buf[offset] = NUL;
      return;
    }
    this.nextLine++;
    for (let i = 0; i < text.length; i++) {
      this.buf[offset + i] = text.charCodeAt(i);
      this.lineOf[offset + i] = this.nextLine;
    }
    this.buf[offset + text.length] = NUL;
    this.lineOf[offset + text.length] = this.nextLine;
    this.filled = offset + text.length;
  }

  private skipWhitespace(): void {
    while (this.cur() !== NUL && isSpace(this.cur())) this.pos++;
  }

  /** After the backslash: false when it continued the line (the next char is not to be taken). */
  private parseBackslash(): boolean {
    this.pos++;
    const c = this.cur();
    if (c === NUL || c === LF || (c === CR && this.char(this.pos + 1) === LF && this.char(this.pos + 2) === NUL)) {
      this.getln(this.pos);
      return false;
    }
    return true;
  }

  private addc(target: { at: number }): void {
    this.buf[target.at] = this.buf[this.pos] ?? NUL;
    target.at++;
    this.pos++;
  }

  private parseDoubleQuote(target: { at: number }): void {
    const opened = this.lineAt(this.pos);
    this.pos++;
    for (;;) {
      const c = this.cur();
      if (c === DQUOTE) {
        this.pos++;
        return;
      }
      if (c === NUL) {
        // the value goes on over the next line
        this.getln(this.pos);
        if (this.cur() === NUL) this.fail('EOF with unterminated "', opened);
        continue;
      }
      if (c === BACKSLASH && !this.parseBackslash()) continue;
      this.addc(target);
    }
  }

  private parseSingleQuote(target: { at: number }): void {
    const opened = this.lineAt(this.pos);
    this.pos++;
    for (;;) {
      const c = this.cur();
      if (c === SQUOTE) {
        this.pos++;
        return;
      }
      if (c === NUL) {
        this.getln(this.pos);
        if (this.cur() === NUL) this.fail("EOF with unterminated '", opened);
        continue;
      }
      this.addc(target);
    }
  }

  /** One argument, quoted pieces and bare ones joined, written at `target` over the source. */
  private parseStr(target: { at: number }): void {
    let next = true;
    scan: do {
      switch (this.cur()) {
        case SQUOTE:
          this.parseSingleQuote(target);
          break;
        case DQUOTE:
          this.parseDoubleQuote(target);
          break;
        case HASH:
          // a comment ends the line, even inside a bare word
          this.buf[this.pos] = NUL;
          break scan;
        case NUL:
          break scan;
        case SEMICOLON:
          next = false;
          break scan;
        case BACKSLASH:
          if (!this.parseBackslash()) continue;
          this.addc(target);
          break;
        default:
          this.addc(target);
      }
    } while (this.cur() !== NUL && !isSpace(this.cur()));
    if (this.cur() !== NUL && next) this.pos++;
    // When nothing was unquoted or unescaped, target === pos and this overwrites a
    // glued ';' — which is how libuci loses the rest of such a line.
    this.buf[target.at] = NUL;
  }

  /** Returns the buffer offset of the argument ('' when there is none). */
  private nextArg(required: boolean, name: boolean, pkg: boolean): number {
    this.skipWhitespace();
    const val = this.pos;
    const line = this.lineAt(val);
    if (this.cur() === SEMICOLON) {
      this.buf[this.pos] = NUL;
      this.pos++;
    } else {
      this.parseStr({ at: val });
    }
    if (this.char(val) === NUL) {
      if (required) this.fail('insufficient arguments', this.cmdLine);
      return val;
    }
    if (name && !(pkg ? isUciPackageName : isUciName)(this.str(val))) this.fail('invalid character in name field', line);
    return val;
  }

  private assertEol(): void {
    this.skipWhitespace();
    const line = this.lineAt(this.pos);
    const extra = this.nextArg(false, false, false);
    if (this.char(extra) !== NUL) this.fail('too many arguments', line);
  }

  /** Steps over the command word, which strtok ended with a NUL. */
  private skipCommand(word: string): void {
    const add = this.str(this.pos).length + 1;
    if (this.pos + add > this.filled) this.fail(`${word} without name`, this.cmdLine);
    this.pos += add;
  }

  // --- commands (uci_parse_line and friends) ---

  private parseLine(): void {
    this.skipWhitespace();
    for (;;) {
      // strtok(cur, " \t"): only space and tab separate the command word
      let start = this.pos;
      while (this.char(start) === SPACE || this.char(start) === TAB) start++;
      if (this.char(start) === NUL) return;
      let end = start;
      while (this.char(end) !== NUL && this.char(end) !== SPACE && this.char(end) !== TAB) end++;
      const word = this.text(start, end);
      if (this.char(end) !== NUL) this.buf[end] = NUL;
      this.cmdLine = this.lineAt(start);
      if (word[0] === '#') return;
      if (word === 'p' || word === 'package') this.parsePackage();
      else if (word === 'c' || word === 'config') this.parseConfig();
      else if (word === 'o' || word === 'option') this.parseOption(false);
      else if (word === 'l' || word === 'list') this.parseOption(true);
      else this.fail('invalid command', this.cmdLine);
    }
  }

  private parsePackage(): void {
    this.skipCommand('package');
    const name = this.nextArg(true, true, true);
    this.assertEol();
    // libuci's loader validates the name and then ignores it; keep the first for reference
    this.packageName ??= this.str(name);
  }

  private parseConfig(): void {
    const line = this.cmdLine;
    this.skipCommand('config');
    const typeAt = this.nextArg(true, false, false);
    if (!isUciType(this.str(typeAt))) this.fail('invalid character in type field', this.lineAt(typeAt));
    const nameAt = this.nextArg(false, true, false);
    this.assertEol();
    const type = this.str(typeAt);
    const name = this.str(nameAt);

    if (name === '') {
      this.section = this.addSection(type, undefined, line);
      return;
    }
    // a named section may be reopened (options merge into it), never retyped
    const prior = this.sections.find((s) => s.ident === name);
    if (prior !== undefined) {
      if (prior.type !== type) this.fail('section of different type overwrites prior section with same name', line);
      this.section = prior;
      return;
    }
    this.section = this.addSection(type, name, line);
  }

  private addSection(type: string, name: string | undefined, line: number): Section {
    this.sectionCount++;
    // uci_fixup_section names an anonymous section when it is created, before it
    // has options; a later `config TYPE 'cfgXXYYYY'` with that name reopens it.
    const ident = name ?? `cfg${hex(this.sectionCount, 2)}${hex(djbhash(type) % 0x10000, 4)}`;
    const s: Section = { type, name, line, options: new Map(), ident };
    this.sections.push(s);
    return s;
  }

  private parseOption(list: boolean): void {
    const line = this.cmdLine;
    const section = this.section;
    if (section === undefined) this.fail('option/list command found before the first section', line);
    this.skipCommand('option');
    const nameAt = this.nextArg(true, true, false);
    const valueAt = this.nextArg(false, false, false);
    this.assertEol();
    const name = this.str(nameAt);
    const value = this.str(valueAt);
    const prior = section.options.get(name);

    if (list) {
      // uci_add_list: an empty item is kept; a plain option becomes the list's first item
      if (prior === undefined) section.options.set(name, { value: [value], line, itemLines: [line] });
      else if (Array.isArray(prior.value)) {
        prior.value.push(value);
        prior.itemLines?.push(line);
      } else section.options.set(name, { value: [prior.value, value], line: prior.line, itemLines: [prior.line, line] });
      return;
    }
    // uci_set while loading: an empty value changes nothing (it neither sets nor
    // deletes); otherwise the option, or a list of that name, is replaced in place
    if (value === '') return;
    section.options.set(name, { value, line });
  }
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** libuci's djbhash over one string, from its initial value. */
function djbhash(s: string): number {
  let hash = 5381;
  for (let i = 0; i < s.length; i++) hash = (Math.imul(hash, 33) + s.charCodeAt(i)) >>> 0;
  return hash & 0x7fffffff;
}
