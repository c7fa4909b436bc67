/**
 * New ids are UUIDv7 (RFC 9562): version 7, variant 10xx, the creation millisecond in the first
 * 48 bits (so event ids sort by time and land at the right edge of their index), and unique.
 */
import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '#engine/store/time-ordered-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('makes unique UUIDv7 texts carrying their millisecond, across several random pools', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5_000 }, () => timeOrderedId());
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(UUID_V7);
      const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
    // Creation order is kept at millisecond precision: the time part never goes back.
    const times = ids.map((id) => id.slice(0, 13));
    expect([...times].sort()).toEqual(times);
    // Every random digit takes all 16 values and the variant digit all 4: no stuck bits.
    for (const place of [15, 16, 17, 20, 21, 22, 24, 35]) expect(new Set(ids.map((id) => id[place])).size).toBe(16);
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
