/**
 * The arithmetic of a virtualized list with fixed-height rows, including lists taller than a
 * browser can scroll. Browsers cap an element's height (Chromium near 33.5 million pixels,
 * Firefox near 17.9 million), and a million 44-pixel rows need 44 million. Past
 * MAX_SCROLL_HEIGHT the scrollable spacer stays at that height and a scroll position maps
 * proportionally onto the full list: the scrollbar still reaches both ends, rows still sit
 * exactly ROW pixels apart on screen, and only a whole-list drag moves faster than one pixel
 * per pixel. Pure functions: no DOM, no runes.
 */

/** Tallest spacer we ever make: well below every browser's limit. */
export const MAX_SCROLL_HEIGHT = 10_000_000;

export type ListGeometry = {
  readonly rows: number;
  readonly rowHeight: number;
  readonly viewportHeight: number;
};

/** Height of the scrollable spacer. */
export function spacerHeight({ rows, rowHeight }: ListGeometry): number {
  return Math.min(rows * rowHeight, MAX_SCROLL_HEIGHT);
}

/** Full-list pixels per spacer pixel: 1 until the list outgrows MAX_SCROLL_HEIGHT. */
export function scrollRatio(geometry: ListGeometry): number {
  const full = geometry.rows * geometry.rowHeight;
  const spacer = spacerHeight(geometry);
  if (full <= spacer || spacer <= geometry.viewportHeight) return 1;
  return (full - geometry.viewportHeight) / (spacer - geometry.viewportHeight);
}

export type VisibleRows = {
  /** First and last row index to render (overscan included); last < first when there are none. */
  readonly first: number;
  readonly last: number;
  /** Subtract from `row × rowHeight` to get the row's top inside the spacer. */
  readonly shift: number;
};

/** Which rows to render for a scroll position, and where they go. */
export function visibleRows(geometry: ListGeometry, scrollTop: number, overscan: number): VisibleRows {
  const ratio = scrollRatio(geometry);
  const top = scrollTop * ratio;
  const first = Math.max(0, Math.floor(top / geometry.rowHeight) - overscan);
  const last = Math.min(geometry.rows - 1, Math.ceil((top + geometry.viewportHeight) / geometry.rowHeight) + overscan);
  return { first, last, shift: top - scrollTop };
}

/**
 * The scroll position that brings `row` fully into view while moving as little as possible
 * (undefined when it is already in view).
 */
export function scrollTopToReveal(geometry: ListGeometry, scrollTop: number, row: number): number | undefined {
  const ratio = scrollRatio(geometry);
  const top = scrollTop * ratio;
  const rowTop = row * geometry.rowHeight;
  const rowBottom = rowTop + geometry.rowHeight;
  if (rowTop < top) return rowTop / ratio;
  if (rowBottom > top + geometry.viewportHeight) return (rowBottom - geometry.viewportHeight) / ratio;
  return undefined;
}
