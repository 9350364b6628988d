// Parsed UCI as plain JSON data, for fixtures and assertions.
import { type UciPackage, sectionAddress } from '../../src/config/uci';

export interface PlainOption {
  value: string | string[];
  line: number;
  itemLines?: number[];
}

export interface PlainSection {
  address: string;
  type: string;
  name: string | null;
  line: number;
  options: Record<string, PlainOption>;
}

export interface PlainPackage {
  package: string | null;
  sections: PlainSection[];
}

export function toPlain(pkg: UciPackage): PlainPackage {
  return {
    package: pkg.package ?? null,
    sections: pkg.sections.map((s, i) => ({
      address: sectionAddress(pkg, i),
      type: s.type,
      name: s.name ?? null,
      line: s.line,
      options: Object.fromEntries(
        [...s.options].map(([k, o]) => [k, o.itemLines ? { value: o.value, line: o.line, itemLines: o.itemLines } : { value: o.value, line: o.line }]),
      ),
    })),
  };
}

/** The same, without line numbers: what a round trip through text must keep. */
export function withoutLines(pkg: UciPackage): unknown {
  return {
    package: pkg.package ?? null,
    sections: pkg.sections.map((s) => ({ type: s.type, name: s.name ?? null, options: [...s.options].map(([k, o]) => [k, o.value]) })),
  };
}
