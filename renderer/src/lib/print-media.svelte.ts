/**
 * Whether the page is being printed (or shown as print media): lists that are virtualized on
 * screen render a print table only then. The print dialog's beforeprint and a print media
 * query's change both set it, and the DOM is updated at once (flushSync), before the browser
 * lays out the pages.
 */
import { flushSync } from 'svelte';

let active = $state(false);

export const printMedia = {
  get active(): boolean {
    return active;
  },
};

/** Follows print media; returns the function that stops. */
export function startPrintWatch(): () => void {
  const print = window.matchMedia('print');
  const set = (value: boolean) => {
    if (active === value) return;
    active = value;
    flushSync();
  };
  const follow = () => set(print.matches);
  const before = () => set(true);
  // Not through set(): flushSync may not run inside the effect that starts this.
  active = print.matches;
  print.addEventListener('change', follow);
  window.addEventListener('beforeprint', before);
  window.addEventListener('afterprint', follow);
  return () => {
    print.removeEventListener('change', follow);
    window.removeEventListener('beforeprint', before);
    window.removeEventListener('afterprint', follow);
  };
}
