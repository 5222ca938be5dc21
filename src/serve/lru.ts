/**
 * Least-recently-used map bounded by total weight (bytes, or 1 per entry).
 * A Map keeps insertion order, so re-inserting on access makes the first key
 * the least recently used.
 */
export class WeightedLru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number,
    /** Larger entries are not kept: one huge file must not flush everything else. */
    private readonly maxEntryWeight = maxWeight,
  ) {}

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V): void {
    const weight = this.weigh(value);
    this.delete(key);
    if (weight > this.maxEntryWeight || weight > this.maxWeight) return;
    this.map.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.map) {
      if (this.total <= this.maxWeight) break;
      this.map.delete(oldest);
      this.total -= entry.weight;
    }
  }

  delete(key: K): void {
    const hit = this.map.get(key);
    if (!hit) return;
    this.map.delete(key);
    this.total -= hit.weight;
  }

  get weight(): number {
    return this.total;
  }

  get size(): number {
    return this.map.size;
  }
}
