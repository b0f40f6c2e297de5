/**
 * Deterministic randomness for the generator. Every entity (a song, a user, a day) gets
 * its own stream seeded from (seed, kind, index), so any one of them can be made again
 * without making the others: songs need no catalog in memory, and a day can be generated
 * alone (an incremental load's "new day") with the same users and songs.
 */

/** A 32-bit mix of the inputs (a variant of the murmur3 finalizer). */
export function hash32(...values: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = Math.imul(h ^ (value | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Kinds of entity, each with its own streams. */
export const STREAM = { song: 1, artist: 2, user: 3, day: 4, unknownSong: 5 } as const;

/** A seeded pseudo-random stream (mulberry32). */
export class Random {
  private state: number;

  constructor(seed: number, stream: number, index: number) {
    this.state = hash32(seed, stream, index);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let text = '';
    for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(this.next() * alphabet.length)];
    return text;
  }
}
