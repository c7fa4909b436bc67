/**
 * What a search of the accounts list looks in: every account's lower-cased id and owner, in
 * ONE string ("id NUL owner SOH", account after account, in the order they were listed) with
 * where each account starts. A search is a run of indexOf over that one string — no object
 * visited per account — and ids and owners never change, so the string only ever grows.
 */

const ID_OWNER_SEPARATOR = '\u0000';
const ACCOUNT_SEPARATOR = '\u0001';

export class AccountSearchText {
  private text = '';
  /** Where account k's text starts; it ends where account k + 1's starts (or the text ends). */
  private starts: number[] = [];
  /** Texts of accounts added since the last search, not yet in `text`. */
  private pending: string[] = [];

  get size(): number {
    return this.starts.length + this.pending.length;
  }

  /** Adds an account's id and owner; answers its number (0, 1, 2 … in the order added). */
  add(id: string, owner: string): number {
    this.pending.push(`${id}${ID_OWNER_SEPARATOR}${owner}${ACCOUNT_SEPARATOR}`);
    return this.size - 1;
  }

  /**
   * Marks (1) the accounts whose id or owner holds `needle` (already lower-cased), by number.
   * A needle holding a separator matches nothing: it could only match across two fields.
   */
  find(needle: string): Uint8Array {
    this.flush();
    const found = new Uint8Array(this.starts.length);
    if (needle === '' || needle.includes(ID_OWNER_SEPARATOR) || needle.includes(ACCOUNT_SEPARATOR)) return found;
    const { text, starts } = this;
    let account = 0;
    for (let at = text.indexOf(needle); at >= 0;) {
      // Hits come in increasing order, so the account holding one is found by walking forward.
      while (account + 1 < starts.length && starts[account + 1]! <= at) account++;
      found[account] = 1;
      if (account + 1 >= starts.length) break;
      at = text.indexOf(needle, starts[account + 1]!);
    }
    return found;
  }

  /** Appends the pending texts, lower-cased. */
  private flush(): void {
    if (this.pending.length === 0) return;
    const joined = this.pending.join('');
    const lower = joined.toLowerCase();
    // Lower-casing keeps every length but a few letters' (İ becomes two code units): when the
    // total is unchanged, so is every account's start; otherwise each is lower-cased alone.
    const texts = lower.length === joined.length ? this.pending : this.pending.map((each) => each.toLowerCase());
    let start = this.text.length;
    for (const each of texts) {
      this.starts.push(start);
      start += each.length;
    }
    this.text += lower.length === joined.length ? lower : texts.join('');
    this.pending = [];
  }
}
