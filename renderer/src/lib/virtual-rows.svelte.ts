/**
 * The reactive state of one virtualized list: where it is scrolled, how tall its viewport is,
 * and which rows that puts on screen (the arithmetic is lib/virtual-scroll.ts). A screen makes
 * one and hands it to components/VirtualList.svelte, which draws the viewport and keeps
 * `scrollTop`, `viewportHeight` and `viewport` current; the screen reads `view` and `indexes`
 * to fetch what is in view.
 */
import { visibleRows, type ListGeometry, type VisibleRows } from './virtual-scroll';

export type VirtualRowsShape = {
  /** How many rows the list has now. */
  readonly rows: number;
  /** Pixels per row; every row has this height. */
  readonly rowHeight: number;
  /** Rows rendered beyond each edge of the viewport, so fast scrolling shows no gaps. */
  readonly overscan: number;
};

export class VirtualRows {
  viewport = $state<HTMLDivElement | undefined>();
  scrollTop = $state(0);
  viewportHeight = $state(0);
  readonly geometry: ListGeometry;
  /** The rows to render (overscan included) and the shift that places them. */
  readonly view: VisibleRows;
  /** Every row index from view.first to view.last. */
  readonly indexes: readonly number[];

  constructor(shape: () => VirtualRowsShape, start: { scrollTop?: number; viewportHeight: number }) {
    this.scrollTop = start.scrollTop ?? 0;
    this.viewportHeight = start.viewportHeight;
    this.geometry = $derived({ rows: shape().rows, rowHeight: shape().rowHeight, viewportHeight: this.viewportHeight });
    this.view = $derived(visibleRows(this.geometry, this.scrollTop, shape().overscan));
    this.indexes = $derived(
      Array.from({ length: Math.max(0, this.view.last - this.view.first + 1) }, (_, offset) => this.view.first + offset),
    );
  }

  /** Top of row `index` inside the spacer, in pixels. */
  top(index: number): number {
    return index * this.geometry.rowHeight - this.view.shift;
  }

  /** Scrolls the viewport to `scrollTop` (as far as the browser allows) and records where it went. */
  scrollTo(scrollTop: number): void {
    if (this.viewport) {
      this.viewport.scrollTop = scrollTop;
      this.scrollTop = this.viewport.scrollTop;
    } else {
      this.scrollTop = scrollTop;
    }
  }
}
