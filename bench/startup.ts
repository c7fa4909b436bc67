/**
 * The startup figures, each in a fresh bundled child process (as the app's main process
 * starts): open + full rebuild against a bare scan with JSON.parse, and the main process's
 * memory once the ledger is open.
 */
import type { Children } from './children';
import { atMost, durationAgainst, median, type Figure } from './figures';

type MemoryRun = { events: number; openMs: number; rssMb: number; heapUsedMb: number; maxRssMb: number };

/** Open + full rebuild vs a bare scan with JSON.parse, interleaved bare, engine, bare, engine…; medians. */
export async function measureStartup(
  children: Children,
  path: string,
  events: number,
  rounds: number,
  log: (message: string) => void,
): Promise<Figure> {
  const engine: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const scan = await children.run<{ events: number; ms: number }>('startup-child', ['bare', path]);
    const opened = await children.run<{ events: number; ms: number }>('startup-child', ['engine', path]);
    if (scan.events !== events || opened.events !== events) throw new Error(`startup saw ${scan.events} / ${opened.events} events`);
    bare.push(scan.ms);
    engine.push(opened.ms);
    log(`startup round ${round + 1}/${rounds}: engine ${opened.ms.toFixed(0)} ms, bare scan ${scan.ms.toFixed(0)} ms`);
  }
  // Startup no slower than reading the log once: ratio = bare / engine ≥ 1.0.
  return durationAgainst('startup: open + rebuild', median(engine), 'ms', median(bare), 1.0);
}

/** Main-process memory after startup (RSS after a full GC), in a fresh child. */
export async function measureMemoryAfterStartup(children: Children, path: string, log: (message: string) => void): Promise<Figure> {
  const memory = await children.run<MemoryRun>('memory-child', [path], ['--expose-gc']);
  log(
    `memory after startup: RSS ${memory.rssMb.toFixed(0)} MB (heap ${memory.heapUsedMb.toFixed(0)} MB, peak ${memory.maxRssMb.toFixed(0)} MB)`,
  );
  // At any size the bench runs, ten million events included.
  return atMost('memory after startup (RSS after GC)', memory.rssMb, 'MB', 1024);
}
