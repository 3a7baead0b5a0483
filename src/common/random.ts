/**
 * The one seeded pseudo-random generator of the project.
 *
 * Everything random — splits, bootstraps, feature sampling, tuning samplers,
 * simulated traffic — draws from a {@link Random} built from a seed, so the
 * same inputs and seed always give the same bytes. The generator is
 * xoshiro128** seeded through splitmix32: fast, 32-bit friendly, and good
 * enough statistically for ML work (it passes BigCrush).
 */

/** A seeded stream of random numbers. Not cryptographic. */
export interface Random {
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** A float uniformly distributed in [0, 1), with 53 bits of precision. */
  next(): number;
  /** An integer uniformly distributed in [0, n). `n` must be a positive integer below 2^32. */
  int(n: number): number;
  /** A standard normal deviate (Box–Muller, cached pair). */
  normal(): number;
  /** A new independent stream derived from this one; forking does not disturb sibling streams' determinism. */
  fork(label?: number): Random;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a seeded generator. Seeds are folded to 32 bits; two different
 * seeds give unrelated streams.
 */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.floor(Math.abs(seed)) ^ (seed < 0 ? 0x5bd1e995 : 0));
  const s = new Uint32Array([init(), init(), init(), init()]);
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  let spareNormal: number | undefined;

  function nextUint32(): number {
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]!;
    const s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = (s2 ^ s0) >>> 0;
    const n3 = (s3 ^ s1) >>> 0;
    s[1] = (s1 ^ n2) >>> 0;
    s[0] = (s0 ^ n3) >>> 0;
    s[2] = (n2 ^ t) >>> 0;
    s[3] = rotl(n3, 11);
    return result;
  }

  const random: Random = {
    nextUint32,
    next() {
      // 53-bit float from two draws: 27 high bits and 26 low bits.
      const hi = nextUint32() >>> 5;
      const lo = nextUint32() >>> 6;
      return (hi * 67108864 + lo) / 9007199254740992;
    },
    int(n: number) {
      if (!(n > 0) || n > 0x100000000 || !Number.isInteger(n)) {
        throw new RangeError(`int(n) needs an integer 0 < n <= 2^32, got ${n}`);
      }
      // Rejection sampling removes modulo bias.
      const limit = 0x100000000 - (0x100000000 % n);
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x % n;
      }
    },
    normal() {
      if (spareNormal !== undefined) {
        const v = spareNormal;
        spareNormal = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = random.next();
      const v = random.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork(label = 0) {
      return createRandom((nextUint32() ^ Math.imul(label + 1, 0x27d4eb2d)) >>> 0);
    },
  };
  return random;
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(
  array: T,
  random: Random,
): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}
