/**
 * The simulator's only source of randomness: sfc32 (Chris Doty-Humphrey's "small fast
 * chaotic" generator, from PractRand), seeded by mixing integers with the murmur3 finalizer.
 *
 * Every household, and every concern within it (people, care, each silo's errors), gets its
 * own generator derived from (seed, household index, stream tag). That independence is what
 * makes the output deterministic while streaming: household 500,000 is the same whether or
 * not households 0..499,999 were generated first, and turning a silo off (--no-labs) does not
 * shift the random draws of any other silo.
 */

/** murmur3's 32-bit finalizer: a cheap bijective mixer with good avalanche. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds any number of integers (or short strings) into one 32-bit seed. */
export function deriveSeed(...parts: (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Split into two 32-bit halves so indices above 2^32 still mix in fully.
      h = mix32(h ^ mix32(part >>> 0));
      h = mix32(h ^ Math.floor(part / 0x100000000));
    } else {
      for (let i = 0; i < part.length; i++) h = mix32(h ^ part.charCodeAt(i));
    }
  }
  return h;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mix32(seed ^ 0xdeadbeef);
    this.b = mix32(seed ^ 0x41c64e6d);
    this.c = mix32(seed ^ 0x6c078965);
    this.d = 1;
    // Discard the first outputs: sfc32 needs a few rounds to diffuse a weak seed.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Index drawn from a cumulative weight table (ascending, last = total), by binary search. */
  pickCumulative(cumulative: Float64Array | readonly number[]): number {
    const total = cumulative[cumulative.length - 1]!;
    const x = this.float() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Picks a key of a weight table ({ value: weight }). */
  pickWeighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += weights[k];
    let x = this.float() * total;
    for (const k of keys) {
      x -= weights[k];
      if (x < 0) return k;
    }
    return keys[keys.length - 1]!;
  }

  /** Poisson-distributed count (Knuth's method; fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** Normally distributed value (Box-Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.float();
    const v = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A string of n random decimal digits. */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.nextUint32() % 10);
    return s;
  }
}

/** A generator for one (seed, ...stream) combination. */
export function createRng(...parts: (number | string)[]): Rng {
  return new Rng(deriveSeed(...parts));
}
