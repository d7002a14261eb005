/**
 * Remembering a function's results for the keys used most recently: reverse requests ask for the
 * same few paths again and again, and parsing a path or an expression each time cost more than
 * the rest of serving it. A `Map` keeps insertion order, so its first key is the least recent.
 */
export interface Remembered<K, V> {
  (key: K): V;
  /** How many results are kept now. */
  readonly size: number;
}

/**
 * `make` with its last `limit` results kept. A key that `keep` refuses (too big to hold, say)
 * is made every time, and so is one whose `make` throws.
 */
export function remembered<K, V>(
  limit: number,
  make: (key: K) => V,
  keep: (key: K) => boolean = () => true,
): Remembered<K, V> {
  const kept = new Map<K, V>();
  // The most recent key kept and its value: asked again, it is last in the Map already, and the
  // Map is left alone (a delete and a set per hit leave it holes to sweep).
  let last: { key: K; value: V } | null = null;
  const lookup = (key: K): V => {
    if (last !== null && last.key === key) return last.value;
    const value = find(key);
    last = kept.has(key) ? { key, value } : last;
    return value;
  };
  const find = (key: K): V => {
    if (kept.has(key)) {
      const value = kept.get(key) as V;
      // The most recently used goes last.
      kept.delete(key);
      kept.set(key, value);
      return value;
    }
    const value = make(key);
    if (keep(key)) {
      if (kept.size >= limit) kept.delete(kept.keys().next().value as K);
      kept.set(key, value);
    }
    return value;
  };
  return Object.defineProperty(lookup, 'size', { get: () => kept.size }) as Remembered<K, V>;
}
