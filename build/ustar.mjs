// A small, deterministic tar writer for packages: POSIX ustar, every entry
// owned by root (0:0) with the mode it is given and one fixed mtime, entries in
// name order (like `tar --sort=name`, which OpenWrt's ipkg-build uses), the
// archive padded to tar's 10 KiB record. Plus gzip without a name or time in
// its header, so the same input always gives the same bytes.
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';

const BLOCK = 512;
const RECORD = 20 * BLOCK;

/**
 * @typedef {{ name: string, mode: number, data?: Buffer | string }} Entry
 * `name` is relative ("./etc/config/updyn"); a name ending in "/" is a directory.
 */

/**
 * @param {Entry[]} entries
 * @param {number} mtime seconds since the epoch
 * @param {{ sort?: boolean }} [opts] sort: false keeps the given order
 * @returns {Buffer}
 */
export function tar(entries, mtime, { sort = true } = {}) {
  const sorted = sort ? [...entries].sort((a, b) => compareNames(a.name, b.name)) : entries;
  const parts = [];
  for (const e of sorted) {
    const data = e.name.endsWith('/') ? Buffer.alloc(0) : Buffer.from(e.data ?? '');
    parts.push(header(e.name, e.mode, data.length, mtime, e.name.endsWith('/') ? '5' : '0'));
    parts.push(data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, Buffer.alloc((RECORD - (body.length % RECORD)) % RECORD)]);
}

/** gzip with an empty header (no file name, mtime 0), at the best compression. */
export function gzip(buf) {
  return gzipSync(buf, { level: 9 });
}

/** Every directory above each file, as "./a/", "./a/b/" entries of mode 0755 (the root "./" included). */
export function withDirectories(files) {
  const dirs = new Set(['./']);
  for (const f of files) {
    const parts = f.name.split('/').slice(0, -1);
    for (let i = 2; i <= parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  return [...[...dirs].map((name) => ({ name, mode: 0o755 })), ...files];
}

/** Depth-first name order: a directory right before what it holds. */
function compareNames(a, b) {
  const pa = a.replace(/\/$/, '').split('/');
  const pb = b.replace(/\/$/, '').split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

function header(name, mode, size, mtime, type) {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`tar: name too long: ${name}`);
  }
  h.write(base, 0, 100);
  octal(h, 100, 8, mode & 0o7777);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.fill(' ', 148, 156);
  h.write(type, 156, 1);
  h.write('ustar\u0000', 257, 6);
  h.write('00', 263, 2);
  h.write('root', 265, 32);
  h.write('root', 297, 32);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8);
  return h;
}

function octal(buf, offset, length, value) {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length);
}

/** SOURCE_DATE_EPOCH, else the last commit's time in `cwd`: the same tree packs to the same bytes. */
export function sourceDate(cwd) {
  if (/^\d+$/.test(process.env.SOURCE_DATE_EPOCH ?? '')) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || 0;
  } catch {
    return 0;
  }
}
