/**
 * A latency histogram in the spirit of HdrHistogram: values are kept to three
 * significant digits (at most 0.5% off), so memory stays small however many
 * samples are recorded, and histograms from several load processes merge
 * exactly by adding counts.
 */
export class Histogram {
  /** @type {Map<number, number>} bucket value -> count */
  #counts = new Map();
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  /**
   * p50 / p90 / p99 / max / mean of microsecond samples, in milliseconds, as every result reports them.
   * @returns {{ p50: number, p90: number, p99: number, max: number, mean: number }}
   */
  summaryMs() {
    const ms = (/** @type {number} */ us) => round3(us / 1000);
    return { p50: ms(this.percentile(50)), p90: ms(this.percentile(90)), p99: ms(this.percentile(99)), max: ms(this.max), mean: ms(this.mean()) };
  }

  /** @param {number} value a sample, in any unit (the load generator uses microseconds) */
  record(value) {
    const bucket = value > 0 ? Number(value.toPrecision(3)) : 0;
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** @param {Histogram} other */
  merge(other) {
    for (const [bucket, n] of other.#counts) this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + n);
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /**
   * The value at or below which `p` percent of the samples lie (nearest rank).
   * @param {number} p 0..100
   */
  percentile(p) {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (const bucket of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += /** @type {number} */ (this.#counts.get(bucket));
      if (seen >= rank) return bucket;
    }
    return this.max;
  }

  mean() {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /** A plain object that survives IPC and JSON; `Histogram.from` restores it. */
  toJSON() {
    const empty = this.count === 0;
    return { count: this.count, sum: this.sum, min: empty ? null : this.min, max: empty ? null : this.max, buckets: [...this.#counts] };
  }

  /** @param {ReturnType<Histogram['toJSON']>} data */
  static from(data) {
    const h = new Histogram();
    for (const [bucket, n] of data.buckets) h.#counts.set(bucket, n);
    Object.assign(h, { count: data.count, sum: data.sum, min: data.min ?? Infinity, max: data.max ?? -Infinity });
    return h;
  }
}

/**
 * Rounds for display: three significant digits, no exponent.
 * @param {number} x
 */
export function round3(x) {
  return Number.isFinite(x) ? Number(x.toPrecision(3)) : x;
}
