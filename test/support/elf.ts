// A small ELF reader for the addon checks: the header, section names, the
// dynamic section's DT_NEEDED, .gnu.version_r's version names and the ARM
// build attributes. Little-endian only (every target updyn builds for is).
// Layouts from the System V gABI and ARM's "ELF for the Arm Architecture"
// and "Addenda to the ARM ABI" (build attributes).

export const EM = { X86: 3, ARM: 40, X86_64: 62, AARCH64: 183 } as const;
export const EF_ARM_ABI_FLOAT_HARD = 0x400;
export const EF_ARM_EABIMASK = 0xff000000;
/** Tag_ABI_VFP_args in the "aeabi" attributes: 1 = arguments in VFP registers. */
export const TAG_ABI_VFP_ARGS = 28;

const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_DYNAMIC = 6;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_ARM_ATTRIBUTES = 0x70000003;
const DT_NULL = 0;
const DT_NEEDED = 1;

export interface Section {
  name: string;
  type: number;
  offset: number;
  size: number;
  link: number;
}

export interface Elf {
  bits: 32 | 64;
  /** ET_DYN = 3 for a shared object */
  type: number;
  machine: number;
  flags: number;
  sections: Section[];
  /** DT_NEEDED entries, in order */
  needed: string[];
  /** every version a needed library must provide (.gnu.version_r), e.g. GLIBC_2.28 */
  versionsNeeded: string[];
  /** the "aeabi" file attributes of an ARM object (tag -> number or string); empty elsewhere */
  armAttributes: Map<number, number | string>;
}

export function parseElf(buf: Buffer): Elf {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  const bits = buf[4] === 2 ? 64 : buf[4] === 1 ? 32 : null;
  if (bits === null) throw new Error(`bad ELF class ${buf[4]}`);
  if (buf[5] !== 1) throw new Error('big-endian ELF: not supported here');
  const wide = bits === 64;
  const word = (off: number) => (wide ? Number(buf.readBigUInt64LE(off)) : buf.readUInt32LE(off));
  const type = buf.readUInt16LE(16);
  const machine = buf.readUInt16LE(18);
  const flags = buf.readUInt32LE(wide ? 48 : 36);
  const shoff = word(wide ? 40 : 32);
  const shentsize = buf.readUInt16LE(wide ? 58 : 46);
  const shnum = buf.readUInt16LE(wide ? 60 : 48);
  const shstrndx = buf.readUInt16LE(wide ? 62 : 50);

  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    if (at + shentsize > buf.length) throw new Error('section header table runs past the end of the file');
    return {
      nameOff: buf.readUInt32LE(at),
      type: buf.readUInt32LE(at + 4),
      offset: word(at + (wide ? 24 : 16)),
      size: word(at + (wide ? 32 : 20)),
      link: buf.readUInt32LE(at + (wide ? 40 : 24)),
    };
  });
  const cstr = (off: number) => {
    const end = buf.indexOf(0, off);
    return buf.toString('latin1', off, end < 0 ? buf.length : end);
  };
  const shstr = raw[shstrndx];
  const sections: Section[] = raw.map((s) => ({
    name: shstr && shstr.type === SHT_STRTAB ? cstr(shstr.offset + s.nameOff) : '',
    type: s.type,
    offset: s.offset,
    size: s.size,
    link: s.link,
  }));
  const strAt = (strtab: number, off: number) => cstr((sections[strtab]?.offset ?? 0) + off);

  const needed: string[] = [];
  for (const s of sections.filter((x) => x.type === SHT_DYNAMIC)) {
    const entsize = wide ? 16 : 8;
    for (let at = s.offset; at + entsize <= s.offset + s.size; at += entsize) {
      const tag = word(at);
      if (tag === DT_NULL) break;
      if (tag === DT_NEEDED) needed.push(strAt(s.link, word(at + entsize / 2)));
    }
  }

  // Elfxx_Verneed { vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32 }
  // Elfxx_Vernaux { vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32 }
  const versionsNeeded: string[] = [];
  for (const s of sections.filter((x) => x.type === SHT_GNU_VERNEED)) {
    let vn = s.offset;
    for (let i = 0; i < 1000 && vn < s.offset + s.size; i++) {
      const cnt = buf.readUInt16LE(vn + 2);
      let aux = vn + buf.readUInt32LE(vn + 8);
      for (let j = 0; j < cnt; j++) {
        versionsNeeded.push(strAt(s.link, buf.readUInt32LE(aux + 8)));
        const next = buf.readUInt32LE(aux + 12);
        if (next === 0) break;
        aux += next;
      }
      const next = buf.readUInt32LE(vn + 12);
      if (next === 0) break;
      vn += next;
    }
  }

  const attrs = sections.find((x) => x.type === SHT_ARM_ATTRIBUTES);
  const armAttributes = attrs ? parseArmAttributes(buf.subarray(attrs.offset, attrs.offset + attrs.size)) : new Map<number, number | string>();
  return { bits, type, machine, flags, sections, needed, versionsNeeded, armAttributes };
}

/** Tag_File attributes of the "aeabi" vendor subsection. */
export function parseArmAttributes(b: Buffer): Map<number, number | string> {
  const out = new Map<number, number | string>();
  if (b[0] !== 0x41) throw new Error(`ARM attributes: format '${String.fromCharCode(b[0] ?? 0)}', expected 'A'`);
  let p = 1;
  const uleb = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const byte = b[p++];
      if (byte === undefined) throw new Error('ARM attributes: truncated ULEB128');
      v += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return v;
      shift += 7;
    }
  };
  const ntbs = (): string => {
    const end = b.indexOf(0, p);
    const s = b.toString('latin1', p, end);
    p = end + 1;
    return s;
  };
  while (p + 4 <= b.length) {
    const start = p;
    const len = b.readUInt32LE(p);
    p += 4;
    const vendor = ntbs();
    if (vendor !== 'aeabi') {
      p = start + len;
      continue;
    }
    while (p < start + len) {
      const subStart = p;
      const tag = b[p++];
      const size = b.readUInt32LE(p);
      p += 4;
      if (tag !== 1) {
        p = subStart + size; // section or symbol scoped: not needed here
        continue;
      }
      while (p < subStart + size) {
        const t = uleb();
        // strings: Tag_CPU_raw_name (4), Tag_CPU_name (5), Tag_conformance (67), and odd tags above 32
        if (t === 4 || t === 5 || t === 67 || (t > 32 && t % 2 === 1)) out.set(t, ntbs());
        else if (t === 32) {
          out.set(t, uleb()); // Tag_compatibility: a flag then a vendor name
          ntbs();
        } else out.set(t, uleb());
      }
    }
    p = start + len;
  }
  return out;
}

/** Stripped: no static symbol table and no debug sections. */
export function isStripped(elf: Elf): boolean {
  return !elf.sections.some((s) => s.type === SHT_SYMTAB || s.name.startsWith('.debug'));
}
