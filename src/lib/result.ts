// Errors as values at module edges: a function that can fail for a reason the
// caller must word (a bad value, a file that cannot be read) returns one of these.

export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
