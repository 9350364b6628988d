// Reads a gzip'd tar as the tests need to see it: every header field that a
// package's correctness depends on (name, mode, owner, type), and the data.
import { gunzipSync } from 'node:zlib';

export interface TarEntry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  type: 'file' | 'dir' | 'other';
  data: Buffer;
}

export function readTarGz(gz: Buffer): TarEntry[] {
  return readTar(gunzipSync(gz));
}

export function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number) => h.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const num = (a: number, n: number) => Number.parseInt(str(a, n).trim() || '0', 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
    if (sum !== num(148, 8)) throw new Error(`bad tar header checksum at ${off}`);
    const prefix = str(345, 155);
    const name = prefix ? `${prefix}/${str(0, 100)}` : str(0, 100);
    const size = num(124, 12);
    const flag = str(156, 1);
    out.push({
      name,
      mode: num(100, 8),
      uid: num(108, 8),
      gid: num(116, 8),
      uname: str(265, 32),
      gname: str(297, 32),
      type: flag === '5' ? 'dir' : flag === '0' || flag === '' ? 'file' : 'other',
      data: Buffer.from(buf.subarray(off + 512, off + 512 + size)),
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** The entries of an .ipk: the outer archive, and the two inner ones parsed. */
export function readIpk(ipk: Buffer): { outer: TarEntry[]; control: TarEntry[]; data: TarEntry[]; dataTarSize: number } {
  const outer = readTarGz(ipk);
  const member = (name: string) => {
    const e = outer.find((x) => x.name === name);
    if (!e) throw new Error(`no ${name} in the package`);
    return e.data;
  };
  const dataTar = gunzipSync(member('./data.tar.gz'));
  return { outer, control: readTarGz(member('./control.tar.gz')), data: readTar(dataTar), dataTarSize: dataTar.length };
}

/** `Field: value` lines of a control file (continuation lines joined with \n). */
export function controlFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last = '';
  for (const line of text.split('\n')) {
    if (line.startsWith(' ') && last) fields.set(last, `${fields.get(last)}\n${line.slice(1)}`);
    else {
      const m = /^([A-Za-z-]+): ?(.*)$/.exec(line);
      if (m) {
        last = m[1] ?? '';
        fields.set(last, m[2] ?? '');
      }
    }
  }
  return fields;
}
