/**
 * New ids (events, correlations, transfers): UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds,
 * the version 7, then 74 random bits. Time-ordered event ids land at the right edge of the
 * UNIQUE index on event_id, so a batch touches a few index pages instead of one random page
 * per event: with random (v4) ids that index dominated the write volume of every commit once
 * it outgrew the cache.
 *
 * Cheap per id: the time prefix is made once per millisecond, and the random tails once per
 * pool of 1,024 ids (rendered into a buffer, read out as one string); an id is the prefix
 * joined to a slice of that string, with no copy and no native call (`randomUUID().slice()`
 * plus concatenation allocated several short-lived strings per id; writing each id into a
 * buffer and reading it out cost two native calls: docs/performance.md has the figures).
 */
import { randomFillSync } from 'node:crypto';

/** "xxx-Vxxx-xxxxxxxxxxxx": the random part after the time and version prefix "tttttttt-tttt-7". */
const TAIL_LENGTH = 21;
const IDS_PER_POOL = 1_024;
/** 20 random nibbles per id: 3 + 3 + 12 hex digits, and 2 bits of the variant digit. */
const RANDOM_BYTES_PER_ID = 10;

const tails = Buffer.alloc(IDS_PER_POOL * TAIL_LENGTH);
for (let id = 0; id < IDS_PER_POOL; id++) {
  tails[id * TAIL_LENGTH + 3] = 0x2d; // -
  tails[id * TAIL_LENGTH + 8] = 0x2d;
}
const random = Buffer.alloc(IDS_PER_POOL * RANDOM_BYTES_PER_ID);
/** The pool's tails as one string; an id is its prefix joined to a slice of it (no copy, no native call). */
let pool = '';
let nextId = IDS_PER_POOL;
let prefixMs = -1;
let prefix = '';

export function timeOrderedId(): string {
  if (nextId === IDS_PER_POOL) renderPool();
  const ms = Date.now();
  if (ms !== prefixMs) {
    const time = ms.toString(16).padStart(12, '0');
    prefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    prefixMs = ms;
  }
  const at = nextId++ * TAIL_LENGTH;
  return prefix + pool.slice(at, at + TAIL_LENGTH);
}

/** Renders the random part of the next IDS_PER_POOL ids: "xxx-Vxxx-xxxxxxxxxxxx", V one of 8, 9, a, b. */
function renderPool(): void {
  randomFillSync(random);
  for (let id = 0; id < IDS_PER_POOL; id++) {
    const at = id * TAIL_LENGTH;
    const bytes = id * RANDOM_BYTES_PER_ID;
    // 20 nibbles, two per random byte, written into the 21 places but the dashes.
    for (let index = 0; index < RANDOM_BYTES_PER_ID * 2; index++) {
      const byte = random[bytes + (index >> 1)]!;
      const nibble = index & 1 ? byte & 15 : byte >> 4;
      tails[at + PLACES[index]!] = HEX_CODES[index === VARIANT_NIBBLE ? 8 | (nibble & 3) : nibble]!;
    }
  }
  pool = tails.toString('latin1');
  nextId = 0;
}

/** Where each random nibble goes in the tail "xxx-Vxxx-xxxxxxxxxxxx" (the 20th fills the last place). */
const PLACES = [0, 1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 20];
/** The nibble that becomes the RFC 9562 variant digit (10xx: 8, 9, a or b). */
const VARIANT_NIBBLE = 3;
const HEX_CODES = Uint8Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));
