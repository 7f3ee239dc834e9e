// MessagePack carries times as timestamps (decoded to Date), JSON as ISO strings: the application gets
// the same objects whichever protocol it picked.
export function normalize<T>(value: T): T {
  if (value instanceof Date) return value.toISOString() as unknown as T;
  if (Array.isArray(value)) return value.map((item) => normalize(item)) as unknown as T;
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = normalize(item);
    return out as T;
  }
  return value;
}
