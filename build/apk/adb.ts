// A writer for apk-tools v3's "adb" container, the format of an OpenWrt 25.12
// .apk (alpinelinux/apk-tools: doc/apk-v3.5.scd, src/adb.h, src/adb.c).
//
// An adb is one byte buffer that starts with an 8-byte header (compat
// version 0, version 0, reserved, the root value) and holds values. A value is
// a 32-bit little-endian tag: 4 bits of type, 28 bits of payload. Small
// integers and NULL are direct; blobs, wide integers, objects and arrays are
// written elsewhere in the buffer and the tag holds their offset. An object or
// array is a row of tags whose slot 0 is the number of slots; trailing NULL
// slots are cut (adb.c __adb_w_obj). Equal byte runs at the same alignment are
// written once (adb.c adb_w_data), as apk's own writer does.
//
// Pure: bytes in, bytes out; no I/O.

export const TYPE_INT = 0x10000000;
export const TYPE_INT_32 = 0x20000000;
export const TYPE_INT_64 = 0x30000000;
export const TYPE_BLOB_8 = 0x80000000;
export const TYPE_BLOB_16 = 0x90000000;
export const TYPE_BLOB_32 = 0xa0000000;
export const TYPE_ARRAY = 0xd0000000;
export const TYPE_OBJECT = 0xe0000000;
export const NULL_VALUE = 0;

/** A value's tag, as it is stored in a slot. */
export type Value = number;

const HEADER_SIZE = 8;

export class AdbWriter {
  private buf = Buffer.alloc(4096);
  private len = 0;
  private readonly seen = new Map<string, number>();

  constructor() {
    // struct adb_hdr: adb_compat_ver 0, adb_ver 0, reserved, root (set by setRoot)
    this.raw(Buffer.alloc(HEADER_SIZE), HEADER_SIZE, false);
  }

  /** A string or bytes; the empty blob is NULL (adb_w_blob_vec). */
  blob(data: Buffer | string, { dedup = true } = {}): Value {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (b.length === 0) return NULL_VALUE;
    let head: Buffer;
    let type: number;
    if (b.length > 0xffff) {
      head = Buffer.alloc(4);
      head.writeUInt32LE(b.length);
      type = TYPE_BLOB_32;
    } else if (b.length > 0xff) {
      head = Buffer.alloc(2);
      head.writeUInt16LE(b.length);
      type = TYPE_BLOB_16;
    } else {
      head = Buffer.from([b.length]);
      type = TYPE_BLOB_8;
    }
    return tag(type, this.raw(Buffer.concat([head, b]), head.length, dedup));
  }

  /** An unsigned integer: direct below 2^28, else 32 or 64 bits stored aside (adb_w_int). */
  int(n: number | bigint): Value {
    const v = BigInt(n);
    if (v < 0n) throw new RangeError('adb integers are unsigned');
    if (v >= 0x100000000n) {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return tag(TYPE_INT_64, this.raw(b, 4, true));
    }
    if (v >= 0x10000000n) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(Number(v));
      return tag(TYPE_INT_32, this.raw(b, 4, true));
    }
    return (TYPE_INT | Number(v)) >>> 0;
  }

  /** An object: slots[i] is field i+1 (NULL where unset). NULL when every field is. */
  object(slots: Value[]): Value {
    return this.slots(TYPE_OBJECT, slots);
  }

  /** An array of values already in the order the schema wants (NULL items dropped). */
  array(items: Value[]): Value {
    return this.slots(
      TYPE_ARRAY,
      items.filter((v) => v !== NULL_VALUE),
    );
  }

  setRoot(v: Value): void {
    this.buf.writeUInt32LE(v, 4);
  }

  /** The bytes of the blob `v` points at, for patching a value written in place (the package's unique id). */
  blobOffset(v: Value): number {
    const type = (v & 0xf0000000) >>> 0;
    const at = v & 0x0fffffff;
    if (type === TYPE_BLOB_8) return at + 1;
    if (type === TYPE_BLOB_16) return at + 2;
    if (type === TYPE_BLOB_32) return at + 4;
    throw new TypeError('not a blob');
  }

  /** The adb so far (a view: patch it, then copy it out). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  private slots(type: number, slots: Value[]): Value {
    let n = slots.length;
    while (n > 0 && slots[n - 1] === NULL_VALUE) n--;
    if (n === 0) return NULL_VALUE;
    const b = Buffer.alloc(4 * (n + 1));
    b.writeUInt32LE(n + 1, 0);
    for (let i = 0; i < n; i++) b.writeUInt32LE((slots[i] as number) >>> 0, 4 * (i + 1));
    return tag(type, this.raw(b, 4, true));
  }

  private raw(b: Buffer, align: number, dedup: boolean): number {
    const key = dedup ? `${align}:${b.toString('hex')}` : '';
    if (dedup) {
      const at = this.seen.get(key);
      if (at !== undefined) return at;
    }
    const pad = (align - (this.len % align)) % align;
    this.grow(pad + b.length);
    this.buf.fill(0, this.len, this.len + pad);
    this.len += pad;
    const at = this.len;
    b.copy(this.buf, at);
    this.len += b.length;
    if (at > 0x0fffffff) throw new RangeError('adb larger than 256 MiB');
    if (dedup) this.seen.set(key, at);
    return at;
  }

  private grow(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length;
    while (this.len + extra > size) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

function tag(type: number, offset: number): Value {
  return (type | offset) >>> 0;
}

// Blocks (adb.h adb_block_init): a 32-bit word of 2 type bits and 30 bits of
// size (the 4 header bytes included), the payload, zeros to 8-byte alignment.
export const BLOCK_ADB = 0;
export const BLOCK_DATA = 2;
const BLOCK_ALIGNMENT = 8;

export function block(type: number, payload: Buffer): Buffer {
  const raw = 4 + payload.length;
  if (raw > 0x3fffffff) throw new RangeError('block too large for a short header');
  const head = Buffer.alloc(4);
  head.writeUInt32LE(((type << 30) >>> 0) + raw);
  const pad = (BLOCK_ALIGNMENT - (raw % BLOCK_ALIGNMENT)) % BLOCK_ALIGNMENT;
  return Buffer.concat([head, payload, Buffer.alloc(pad)]);
}

/** The file header: magic "ADB." and the root object's schema (adb_c_header). */
export function fileHeader(schema: number): Buffer {
  const b = Buffer.alloc(8);
  b.write('ADB.', 0, 'latin1');
  b.writeUInt32LE(schema, 4);
  return b;
}
