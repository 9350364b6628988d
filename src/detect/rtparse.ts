// The two rtnetlink payloads updyn reads, parsed by hand: ifinfomsg (a link)
// and ifaddrmsg (an address) with the few attributes that matter. The netlink
// package can parse every rtnetlink message there is, but its tables are two
// thirds of the bundle (~230 KiB minified) and memory on a router; these
// layouts are fixed kernel ABI (linux/rtnetlink.h, if_addr.h, if_link.h).
// Pure. A message too short for its header throws, as the package's parsers
// do: the watcher treats that as doubt and re-reads everything.

export interface RtLink {
  kind: 'link';
  data: { family?: number; index?: number; flags?: { up?: boolean; running?: boolean } };
  attrs: { ifname?: string };
}

export interface AddressFlagSet {
  secondary?: boolean;
  dadfailed?: boolean;
  deprecated?: boolean;
  tentative?: boolean;
  permanent?: boolean;
}

export interface RtAddress {
  kind: 'address';
  data: { family?: number; prefixlen?: number; flags?: AddressFlagSet; scope?: number; index?: number };
  attrs: {
    address?: Buffer;
    local?: Buffer;
    flags?: AddressFlagSet;
    cacheInfo?: { ifaPrefered?: number; ifaValid?: number };
  };
}

const IFINFOMSG_LEN = 16;
const IFADDRMSG_LEN = 8;
const IFLA_IFNAME = 3;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_CACHEINFO = 6;
const IFA_FLAGS = 8;
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;

export function parseLinkMessage(buf: Buffer): RtLink {
  if (buf.length < IFINFOMSG_LEN) throw new Error(`link message of ${buf.length} bytes`);
  const flags = buf.readUInt32LE(8);
  const attrs: RtLink['attrs'] = {};
  for (const [type, value] of attributes(buf, IFINFOMSG_LEN)) {
    if (type === IFLA_IFNAME) attrs.ifname = cString(value);
  }
  return {
    kind: 'link',
    data: { family: buf.readUInt8(0), index: buf.readInt32LE(4), flags: { up: (flags & IFF_UP) !== 0, running: (flags & IFF_RUNNING) !== 0 } },
    attrs,
  };
}

export function parseAddressMessage(buf: Buffer): RtAddress {
  if (buf.length < IFADDRMSG_LEN) throw new Error(`address message of ${buf.length} bytes`);
  const attrs: RtAddress['attrs'] = {};
  for (const [type, value] of attributes(buf, IFADDRMSG_LEN)) {
    if (type === IFA_ADDRESS) attrs.address = Buffer.from(value);
    else if (type === IFA_LOCAL) attrs.local = Buffer.from(value);
    else if (type === IFA_FLAGS && value.length >= 4) attrs.flags = addressFlags(value.readUInt32LE(0));
    else if (type === IFA_CACHEINFO && value.length >= 8) attrs.cacheInfo = { ifaPrefered: value.readUInt32LE(0), ifaValid: value.readUInt32LE(4) };
  }
  return {
    kind: 'address',
    data: {
      family: buf.readUInt8(0),
      prefixlen: buf.readUInt8(1),
      flags: addressFlags(buf.readUInt8(2)),
      scope: buf.readUInt8(3),
      index: buf.readUInt32LE(4),
    },
    attrs,
  };
}

function addressFlags(bits: number): AddressFlagSet {
  return {
    secondary: (bits & 0x01) !== 0, // also IFA_F_TEMPORARY for IPv6
    dadfailed: (bits & 0x08) !== 0,
    deprecated: (bits & 0x20) !== 0,
    tentative: (bits & 0x40) !== 0,
    permanent: (bits & 0x80) !== 0,
  };
}

/** struct rtattr { u16 len; u16 type; } + payload, each aligned to 4 bytes. */
function* attributes(buf: Buffer, offset: number): Generator<[number, Buffer]> {
  let at = offset;
  while (at + 4 <= buf.length) {
    const len = buf.readUInt16LE(at);
    if (len < 4 || at + len > buf.length) return;
    // the top bits of the type are NLA_F_NESTED / NLA_F_NET_BYTEORDER
    yield [buf.readUInt16LE(at + 2) & 0x3fff, buf.subarray(at + 4, at + len)];
    at += (len + 3) & ~3;
  }
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.toString('utf8', 0, end < 0 ? b.length : end);
}
