/**
 * Finding the history row of a position (a reversal's link to the entry it takes back, and
 * back). Within one account, positions grow with stream versions, so the pages of its history
 * are sorted by position and a binary search over pages finds the row in a few requests
 * whatever the account's size. Pure: the caller fetches pages (and keeps them).
 */

export type PagedEntry = { readonly position: number; readonly version: number };

/**
 * The version of the entry at `position` among `pageCount` pages, or undefined when no page holds
 * it (or a page could not be read). `page(index)` answers the page's entries, oldest first.
 */
export async function findVersion(
  position: number,
  pageCount: number,
  page: (index: number) => Promise<readonly PagedEntry[] | undefined>,
): Promise<number | undefined> {
  let low = 0;
  let high = pageCount - 1;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const entries = await page(middle);
    if (!entries || entries.length === 0) return undefined;
    if (position < entries[0]!.position) high = middle - 1;
    else if (position > entries[entries.length - 1]!.position) low = middle + 1;
    else return entries.find((entry) => entry.position === position)?.version;
  }
  return undefined;
}
