/**
 * The command line's own argument reader. Every refusal is a UsageError with a plain
 * sentence (the caller prints it as VALIDATION, exit 2), never an argument parser's text.
 *
 * Rules: flags are long (`--name VALUE` or `--name=VALUE`); a string flag takes the next word
 * as its value even when it starts with one dash, so `--amount -5` reaches the amount rules
 * (which say amounts carry no sign) instead of being read as a flag; a word starting with two
 * dashes is never taken as a value; `--` ends the flags.
 */
import { UsageError } from './output';

export type FlagSpec = {
  /** Flags that take a value. */
  readonly strings?: readonly string[];
  /** Flags that stand alone (`--force`). */
  readonly booleans?: readonly string[];
  /** Names of the positional arguments, in order (e.g. ['ID']); all are required. */
  readonly positionals?: readonly string[];
};

export type ParsedArguments = {
  readonly values: Readonly<Record<string, string | true>>;
  readonly positionals: readonly string[];
};

/** Flags every command takes. */
export const GLOBAL_FLAGS = { strings: ['db'], booleans: ['read-only', 'help'] } as const;

/**
 * Finds the command word: the first word that is not a global flag or its value, so that
 * `--db FILE` may stand before or after it. Returns its index, or -1.
 */
export function findCommandIndex(argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index]!;
    if (word === '--') return index + 1 < argv.length ? index + 1 : -1;
    if (!word.startsWith('-')) return index;
    if ((GLOBAL_FLAGS.strings as readonly string[]).includes(word.slice(2))) index += 1;
  }
  return -1;
}

export function parseArguments(args: readonly string[], command: string, spec: FlagSpec): ParsedArguments {
  const strings = new Set<string>([...GLOBAL_FLAGS.strings, ...(spec.strings ?? [])]);
  const booleans = new Set<string>([...GLOBAL_FLAGS.booleans, ...(spec.booleans ?? [])]);
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  const set = (name: string, value: string | true) => {
    if (Object.prototype.hasOwnProperty.call(values, name)) throw new UsageError(`--${name} is given twice; give it once`);
    values[name] = value;
  };
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index]!;
    if (word === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    if (word === '-h') {
      set('help', true);
      continue;
    }
    if (!word.startsWith('--')) {
      throw new UsageError(
        `Unknown flag ${shown(word)} for ${command}: flags start with two dashes${suggestion(word.slice(1), strings, booleans)}`,
      );
    }
    const equals = word.indexOf('=');
    const name = equals === -1 ? word.slice(2) : word.slice(2, equals);
    if (strings.has(name)) {
      if (equals !== -1) {
        set(name, word.slice(equals + 1));
        continue;
      }
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      set(name, value);
      index += 1;
    } else if (booleans.has(name)) {
      if (equals !== -1) throw new UsageError(`--${name} takes no value`);
      set(name, true);
    } else {
      throw new UsageError(`Unknown flag --${shown(name)} for ${command}${suggestion(name, strings, booleans)}`);
    }
  }
  if (values.help) return { values, positionals };
  const expected = spec.positionals ?? [];
  if (positionals.length > expected.length) {
    throw new UsageError(`Unexpected argument "${shown(positionals[expected.length]!)}" for ${command}`);
  }
  if (positionals.length < expected.length) {
    throw new UsageError(`${command} needs ${expected.slice(positionals.length).join(' ')}: ledger ${command} ${expected.join(' ')}`);
  }
  return { values, positionals };
}

/** "; did you mean --account?" for the closest known flag, or the list of flags when none is close. */
function suggestion(name: string, strings: ReadonlySet<string>, booleans: ReadonlySet<string>): string {
  const known = [...strings, ...booleans].filter((flag) => flag !== 'help');
  const closest = closestWord(name, known);
  if (closest !== undefined) return `; did you mean --${closest}?`;
  return `; it takes ${known.map((flag) => `--${flag}`).join(', ')}`;
}

/** The known word nearest to `word` by edit distance, when near enough to be a typo of it. */
export function closestWord(word: string, known: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate);
    if (best === undefined || distance < best.distance) best = { word: candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(1, Math.floor(best.word.length / 3)) ? best.word : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A word from the command line, cut short and with control characters made visible. */
export function shown(word: string): string {
  const visible = word.replace(
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return visible.length > 60 ? `${visible.slice(0, 60)}…` : visible;
}
