// The vocabulary shared by the test provider, its process wrapper and its remote client.
// Everything here is plain data, so that it crosses the control endpoints as JSON unchanged.

/** Which provider endpoint a mode applies to; 'all' is a slot of its own that overrides the others. */
export type Endpoint = 'update' | 'dyndns2' | 'custom' | 'checkip' | 'cloudflare' | 'all';
/** What a recorded request reached: 'unknown' is any path the provider does not serve (answered 404). */
export type RecordedEndpoint = Exclude<Endpoint, 'all'> | 'unknown';
export type Family = 'ipv4' | 'ipv6';
export type RecordType = 'A' | 'AAAA';

/** How an endpoint misbehaves. `times` makes it one-shot: after that many requests it is normal again. */
export type Mode = ModeKind & { times?: number };
export type ModeKind =
  | { kind: 'normal' }
  /** answer this HTTP status; the body defaults to `Status: NNN\n` */
  | { kind: 'status'; status: number; body?: string }
  /** accept the request and never answer (the socket stays open until the client or stop() ends it) */
  | { kind: 'hang' }
  /** destroy the socket without a byte of answer */
  | { kind: 'close' }
  /** send 200 headers announcing a longer body, part of it, then reset the connection */
  | { kind: 'reset-mid-body' }
  /** 200 with random bytes as the body */
  | { kind: 'garbage' }
  /** 200 and a body that trickles forever at this rate */
  | { kind: 'slow-body'; bytesPerSecond: number }
  /** 200 with a body of exactly this many bytes */
  | { kind: 'huge-body'; bytes: number }
  /** a redirect (302 unless told) to this location */
  | { kind: 'redirect'; location: string; status?: number }
  /** answer this body word (dyndns2: `badauth`, `911`, ...) with HTTP 200 unless told */
  | { kind: 'word'; word: string; status?: number };

export interface Account {
  user: string;
  /** the update token (the "password" of the protocol) */
  token: string;
  hosts: string[];
  /** false: the owner has not enabled updates (Zerigo answers 403). Default true. */
  updatesEnabled?: boolean;
}

export interface RecordSet {
  A?: string;
  AAAA?: string;
}

export interface Auth {
  user: string;
  password: string;
  via: 'basic' | 'query' | 'bearer';
}

export interface RecordedRequest {
  /** 1, 2, 3... in arrival order; never reused, not even after reset() */
  seq: number;
  /** performance.now() of the provider's process at arrival */
  monoMs: number;
  /** CLOCK_MONOTONIC in ms at arrival: comparable across processes (and namespaces) of one machine */
  clockMs: number;
  wallIso: string;
  endpoint: RecordedEndpoint;
  method: string;
  /** the request target as received, query included */
  path: string;
  /** the first value of each query parameter, decoded */
  query: Record<string, string>;
  /** lower-cased names, values as received (Authorization included); repeated headers joined by ', ' */
  headers: Record<string, string>;
  auth: Auth | null;
  /** the peer's address, without the ::ffff: prefix of a mapped IPv4 */
  remoteAddress: string;
  remoteFamily: Family;
  /** the provider port the request arrived on */
  localPort: number;
  /** the host the request named (dyndns2: the first of its list, all of them in `hosts`) */
  host?: string;
  hosts?: string[];
  /** the address the answer set or echoed, canonical form */
  ip?: string;
  record?: RecordType;
  /** the mode that answered */
  mode: ModeKind['kind'];
  /** the HTTP status sent; 0 when no status line was sent (hang, close) */
  status: number;
  /** the request's body, when it had one (Cloudflare's writes) */
  body?: string;
  /** the body sent, or a description in parentheses for modes whose body is not text */
  answer: string;
}

/** What a provider reports once listening (and what the cli prints as its one JSON line). */
export interface ProviderInfo {
  /** http://127.0.0.1:PORT: the first IPv4 listener (the first listener if there is none) */
  url: string;
  /** http://[::1]:PORT: the first IPv6 listener, if any */
  url6?: string;
  port: number;
}
