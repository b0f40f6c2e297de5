/** How long some work took and the most memory the process held meanwhile. */
export interface Measurement<T> {
  readonly result: T;
  readonly seconds: number;
  readonly peakRssMb: number;
}

/**
 * Runs `work`, timing it and sampling the process's resident set size every 20 ms
 * (and at both ends): the peak RSS of the process while the work ran.
 */
export async function measure<T>(work: () => Promise<T>): Promise<Measurement<T>> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  try {
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, seconds, peakRssMb: peak / (1 << 20) };
  } finally {
    clearInterval(sampler);
  }
}
