/** How long some work took and the most memory the process held meanwhile. */
export interface Measurement<T> {
  readonly result: T;
  readonly seconds: number;
  readonly peakRssMb: number;
}

/** Reads the process's resident set size in bytes. */
export type RssReader = () => number;

/**
 * Runs `work`, timing it and sampling the resident set size every 20 ms (and at both
 * ends): the peak RSS of the process while the work ran.
 *
 * @param readRss where the samples come from; tests pass a scripted reader, since the
 *   real RSS also moves with garbage collection of memory the work never touched.
 */
export async function measure<T>(work: () => Promise<T>, readRss: RssReader = () => process.memoryUsage.rss()): Promise<Measurement<T>> {
  let peak = readRss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, readRss());
  }, 20);
  const started = performance.now();
  try {
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, readRss());
    return { result, seconds, peakRssMb: peak / (1 << 20) };
  } finally {
    clearInterval(sampler);
  }
}
