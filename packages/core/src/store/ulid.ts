import { randomBytes } from 'node:crypto';

// Crockford's base32, as the ULID spec requires (no I, L, O, U).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID generator: 48-bit ms timestamp + 80 random bits, 26 characters. */
export type UlidFactory = (nowMs?: number) => string;

/**
 * Monotonic ULIDs: within the same millisecond (or if the clock goes backwards) the previous random part
 * is incremented by one instead of drawn again, so ids sort in creation order inside one process.
 */
export function monotonicUlid(random: (n: number) => Uint8Array = randomBytes): UlidFactory {
  let lastMs = -1;
  // 80 random bits as 16 base32 digits (5 bits each), kept as numbers so incrementing is simple.
  let lastRandom: number[] = [];
  return (nowMs = Date.now()) => {
    if (nowMs <= lastMs) {
      // Increment the base32 digits with carry; overflow of 2^80 ids in one ms is not a practical case.
      let i = 15;
      while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
      if (i < 0) throw new Error('ULID random part overflowed within one millisecond');
      lastRandom[i]!++;
    } else {
      lastMs = nowMs;
      const bytes = random(16);
      lastRandom = Array.from(bytes, (b) => b & 31);
    }
    let time = '';
    let t = lastMs;
    for (let i = 0; i < 10; i++) {
      time = ALPHABET[t % 32]! + time;
      t = Math.floor(t / 32);
    }
    return time + lastRandom.map((d) => ALPHABET[d]).join('');
  };
}

/** The process-wide monotonic generator. */
export const ulid: UlidFactory = monotonicUlid();

/** Milliseconds since the epoch encoded in a ULID. */
export function ulidTimeMs(id: string): number {
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + ALPHABET.indexOf(id[i]!.toUpperCase());
  return t;
}
