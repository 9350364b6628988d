// Reads typed options out of one UCI section, recording every problem with the
// line it starts on instead of stopping at the first, and remembering which
// options were read so that the rest can be reported as unknown.
import type { Result } from '../types';
import type { UciOption, UciSection } from './uci';
import { parseBool, parseInteger } from './values';
import { quoteValue } from '../lib/text';

export interface ConfigError {
  file: string;
  /** 0 for a problem with the file as a whole */
  line: number;
  message: string;
}

/** `FILE:LINE: message`, or `FILE: message` for the file as a whole. */
export function formatConfigError(e: ConfigError): string {
  return e.line > 0 ? `${e.file}:${e.line}: ${e.message}` : `${e.file}: ${e.message}`;
}

/** Errors and warnings of one file, each with the line it starts on. */
export class Diagnostics {
  readonly errors: ConfigError[] = [];
  private readonly warnings: ConfigError[] = [];

  constructor(readonly file: string) {}

  error(line: number, message: string): void {
    this.errors.push({ file: this.file, line, message });
  }
  warn(line: number, message: string): void {
    this.warnings.push({ file: this.file, line, message });
  }
  /** In file order (a stable sort keeps the order of problems on one line). */
  sortedErrors(): ConfigError[] {
    return [...this.errors].sort((a, b) => a.line - b.line);
  }
  formattedWarnings(): string[] {
    return [...this.warnings].sort((a, b) => a.line - b.line).map(formatConfigError);
  }
}

export interface ReadOptions {
  /** Whether the value may appear in a message (never for secrets or URLs). */
  echo?: boolean;
}

export class SectionReader {
  private readonly read = new Set<string>();

  constructor(
    private readonly diag: Diagnostics,
    readonly section: UciSection,
    /** how messages name the section: its name or `@type[N]` */
    readonly label: string,
  ) {}

  has(name: string): boolean {
    return this.section.options.has(name);
  }

  lineOf(name: string): number {
    return this.section.options.get(name)?.line ?? this.section.line;
  }

  /** `why` reads after the value: "must be ...", "is ...". Without `value` the value is not shown. */
  fail(name: string, why: string, value?: string, line = this.lineOf(name)): void {
    const subject = value === undefined ? 'the value (not shown: it may hold a secret)' : quoteValue(value);
    this.diag.error(line, `option '${name}' in section '${this.label}': ${subject} ${why}`);
  }

  warn(name: string, message: string): void {
    this.diag.warn(this.lineOf(name), `option '${name}' in section '${this.label}' ${message}`);
  }

  /** A single value; a list where one value belongs is an error. */
  single(name: string): (UciOption & { value: string }) | undefined {
    this.read.add(name);
    const o = this.section.options.get(name);
    if (o === undefined) return undefined;
    if (Array.isArray(o.value)) {
      this.diag.error(o.line, `option '${name}' in section '${this.label}' must be a single value (written 'option', not 'list')`);
      return undefined;
    }
    return { ...o, value: o.value };
  }

  /** Items of an option that may be written either way, each with its line. */
  items(name: string): { value: string; line: number }[] {
    this.read.add(name);
    const o = this.section.options.get(name);
    if (o === undefined) return [];
    if (!Array.isArray(o.value)) return [{ value: o.value, line: o.line }];
    return o.value.map((value, i) => ({ value, line: o.itemLines?.[i] ?? o.line }));
  }

  /** A string, checked when given; the default when absent or invalid. */
  string(name: string, def: string, check?: (s: string) => Result<unknown>, opts: ReadOptions = {}): string {
    const o = this.single(name);
    if (o === undefined) return def;
    if (check !== undefined) {
      const r = check(o.value);
      if (!r.ok) {
        this.fail(name, r.error, opts.echo === false ? undefined : o.value);
        return def;
      }
    }
    return o.value;
  }

  bool(name: string, def: boolean): boolean {
    const o = this.single(name);
    if (o === undefined) return def;
    const r = parseBool(o.value);
    if (r.ok) return r.value;
    this.fail(name, r.error, o.value);
    return def;
  }

  int(name: string, def: number, min: number, max: number): number {
    const o = this.single(name);
    if (o === undefined) return def;
    const r = parseInteger(o.value, min, max);
    if (r.ok) return r.value;
    this.fail(name, r.error, o.value);
    return def;
  }

  oneOf<T extends string>(name: string, values: readonly T[], def: T): T {
    const o = this.single(name);
    if (o === undefined) return def;
    if ((values as readonly string[]).includes(o.value)) return o.value as T;
    this.fail(name, `must be one of ${values.join(', ')}`, o.value);
    return def;
  }

  /** A warning for every option nothing read (named, never echoed: it may be a mistyped secret). */
  warnUnread(): void {
    for (const [name, o] of this.section.options) {
      if (!this.read.has(name)) this.diag.warn(o.line, `unknown option '${name}' in section '${this.label}'`);
    }
  }
}
