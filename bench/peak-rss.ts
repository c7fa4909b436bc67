/**
 * Peak resident memory of THIS process image, in MB.
 *
 * process.resourceUsage().maxRSS cannot be used in a child: Linux carries the high-water mark
 * of the pre-exec copy of the parent (fork duplicates the parent's memory, exec keeps its
 * peak), so every child of a 200 MB bench process reported at least 200 MB. VmHWM in
 * /proc/self/status belongs to the current address space and starts afresh at exec.
 * Elsewhere it falls back to maxRSS (an upper bound).
 */
import { readFileSync } from 'node:fs';

export function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
