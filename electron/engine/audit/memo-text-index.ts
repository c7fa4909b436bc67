/**
 * The audit index's memos: each distinct lower-cased memo held once (a dictionary: text → id,
 * id → text), and a trigram index over the distinct memos, so a free-text query reads only the
 * memos that can hold its text instead of every event's memo. The audit index keeps one memo
 * id per position (0: none); this keeps, per id, the first and last position carrying it, so a
 * query matching a few rare memos walks only the stretch of the log between them.
 *
 * Trigrams are three UTF-16 code units of the lower-cased text, exactly what String.includes
 * compares, so any text (unicode, surrogate pairs) is indexed the same way it is matched.
 */

/**
 * A trigram listed by this many memos, and by more than a quarter of all memos, is "common": its
 * list is dropped and no longer kept (" 20", "inv" in every invoice: lists that narrow nothing,
 * about half of a reference's trigrams). A query then narrows on its other trigrams; one whose
 * trigrams are all common checks each memo as the walk meets it.
 */
const COMMON_FROM = 4_096;

/** Up to this many candidate memos are checked when the query is compiled; beyond, as the walk meets them. */
const EAGER_CHECKS = 20_000;

/** Verdicts per memo id in a MemoMatch. */
export const MEMO_NO = 0;
export const MEMO_YES = 1;
/** A candidate (it holds every trigram of the query): checked with includes when first met. */
export const MEMO_MAYBE = 2;

export type MemoMatch = {
  /** Per memo id: MEMO_NO, MEMO_YES or MEMO_MAYBE (the walk settles a MAYBE on first meeting it). */
  readonly verdicts: Uint8Array;
  /** The lower-cased text looked for (to settle MAYBEs). */
  readonly text: string;
  /**
   * Inclusive bounds on the positions of every matching memo, when all verdicts are settled
   * (none MAYBE); [1, Infinity] otherwise. low > high: no memo matches.
   */
  readonly low: number;
  readonly high: number;
};

/** A growable list of memo ids, ascending (ids are handed out in increasing order); or a common trigram's, dropped. */
class Posting {
  ids = new Int32Array(4);
  length = 0;
  common = false;
  push(id: number, commonFrom: number): void {
    // A memo repeating a trigram ("aaaa") lists its id once.
    if (this.common || (this.length > 0 && this.ids[this.length - 1] === id)) return;
    if (this.length === this.ids.length) {
      // Checked when the list would grow: `id` is the number of memos so far.
      if (this.length >= commonFrom && this.length * 4 > id) {
        this.common = true;
        this.ids = new Int32Array(0);
        this.length = 0;
        return;
      }
      const larger = new Int32Array(this.ids.length * 2);
      larger.set(this.ids);
      this.ids = larger;
    }
    this.ids[this.length++] = id;
  }
}

export class MemoTextIndex {
  /** `eagerChecks`, `commonFrom`: see EAGER_CHECKS and COMMON_FROM (tests lower them to drive every path). */
  constructor(
    private readonly eagerChecks = EAGER_CHECKS,
    private readonly commonFrom = COMMON_FROM,
  ) {}

  private readonly idOf = new Map<string, number>();
  /** Id → lower-cased text; id 0 is "no memo". */
  private readonly texts: string[] = [''];
  private firstPositions = new Int32Array(1024);
  private lastPositions = new Int32Array(1024);
  /** Trigram code (three code units, see trigramAt) → the ids of the memos holding it. */
  private readonly postings = new Map<number, Posting>();
  /** Memos shorter than a trigram: no posting lists them, so short queries look at them directly. */
  private readonly shortIds: number[] = [];

  /** How many distinct memos. */
  get distinct(): number {
    return this.texts.length - 1;
  }

  textOf(id: number): string {
    return this.texts[id]!;
  }

  /** The id of the lower-cased memo `lowered`, met at `position` (ascending across calls); new texts get the next id. */
  intern(lowered: string, position: number): number {
    let id = this.idOf.get(lowered);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(lowered);
      this.idOf.set(lowered, id);
      if (id === this.firstPositions.length) {
        this.firstPositions = grown(this.firstPositions);
        this.lastPositions = grown(this.lastPositions);
      }
      this.firstPositions[id] = position;
      if (lowered.length < 3) this.shortIds.push(id);
      for (let offset = 0; offset + 3 <= lowered.length; offset++) this.postingFor(trigramAt(lowered, offset)).push(id, this.commonFrom);
    }
    this.lastPositions[id] = position;
    return id;
  }

  /** Which memos hold `text` (already lower-cased, not empty). */
  match(text: string): MemoMatch {
    const verdicts = new Uint8Array(this.texts.length);
    if (text.length < 3) {
      const matching = this.shortQueryMatches(text, verdicts);
      return matching === undefined ? everyMemoMaybe(verdicts, text) : this.settled(verdicts, text, matching);
    }
    // Every trigram of the text must be in the memo: the rarest one's memos are the candidates.
    let rarest: Posting | undefined;
    for (let offset = 0; offset + 3 <= text.length; offset++) {
      const posting = this.postings.get(trigramAt(text, offset));
      if (posting === undefined) return this.settled(verdicts, text, []);
      if (!posting.common && (rarest === undefined || posting.length < rarest.length)) rarest = posting;
    }
    if (rarest === undefined) return everyMemoMaybe(verdicts, text);
    const candidates = rarest.ids.subarray(0, rarest.length);
    if (candidates.length > this.eagerChecks) {
      for (const id of candidates) verdicts[id] = MEMO_MAYBE;
      return { verdicts, text, low: 1, high: Infinity };
    }
    const matching: number[] = [];
    for (const id of candidates) if (this.texts[id]!.includes(text)) matching.push(id);
    return this.settled(verdicts, text, matching);
  }

  /**
   * A text of one or two code units: every memo of three or more holding it holds it inside one
   * of its trigrams, so the memos are those of the trigrams that contain it, plus the short memos.
   * Undefined when one of those trigrams is common (its memos are not listed).
   */
  private shortQueryMatches(text: string, verdicts: Uint8Array): number[] | undefined {
    const matching: number[] = [];
    for (const [code, posting] of this.postings) {
      if (!trigramText(code).includes(text)) continue;
      if (posting.common) return undefined;
      for (let index = 0; index < posting.length; index++) {
        const id = posting.ids[index]!;
        if (verdicts[id] === MEMO_NO) {
          verdicts[id] = MEMO_YES;
          matching.push(id);
        }
      }
    }
    for (const id of this.shortIds) if (this.texts[id]!.includes(text)) matching.push(id);
    return matching;
  }

  private settled(verdicts: Uint8Array, text: string, matching: readonly number[]): MemoMatch {
    let low = Infinity;
    let high = 0;
    for (const id of matching) {
      verdicts[id] = MEMO_YES;
      low = Math.min(low, this.firstPositions[id]!);
      high = Math.max(high, this.lastPositions[id]!);
    }
    return { verdicts, text, low, high };
  }

  private postingFor(code: number): Posting {
    let posting = this.postings.get(code);
    if (posting === undefined) {
      posting = new Posting();
      this.postings.set(code, posting);
    }
    return posting;
  }
}

/** Every memo a candidate, checked as the walk meets it. */
function everyMemoMaybe(verdicts: Uint8Array, text: string): MemoMatch {
  verdicts.fill(MEMO_MAYBE, 1);
  return { verdicts, text, low: 1, high: Infinity };
}

/**
 * Three UTF-16 code units as one number. Below 1024 each (Latin, Greek, Cyrillic: most memos),
 * ten bits apiece: a small integer under 2^30, kept unboxed as a Map key (no allocation per
 * lookup). Any other: 2^30 + the three as 16 bits apiece, below 2^49 and exact in a double.
 */
function trigramAt(text: string, offset: number): number {
  const first = text.charCodeAt(offset);
  const second = text.charCodeAt(offset + 1);
  const third = text.charCodeAt(offset + 2);
  if ((first | second | third) < 0x400) return (first << 20) | (second << 10) | third;
  return WIDE_TRIGRAMS + first * 0x1_0000_0000 + second * 0x1_0000 + third;
}

const WIDE_TRIGRAMS = 0x4000_0000;

function trigramText(code: number): string {
  if (code < WIDE_TRIGRAMS) return String.fromCharCode(code >>> 20, (code >>> 10) & 0x3ff, code & 0x3ff);
  const wide = code - WIDE_TRIGRAMS;
  return String.fromCharCode(Math.floor(wide / 0x1_0000_0000), Math.floor(wide / 0x1_0000) % 0x1_0000, wide % 0x1_0000);
}

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}
