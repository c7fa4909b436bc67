/**
 * The members of a JSON object as they are written: each key with the exact text of its
 * value, in order, repeated keys included (JSON.parse keeps only the last of a repeated key,
 * and an import that stores payload text verbatim must know what else the text holds).
 * Only for text that already parsed as JSON, so only strings and nesting need tracking.
 */

export type JsonMember = { readonly key: string; readonly valueText: string };

/** The members of the object `text` holds, or undefined when `text` is not an object. */
export function objectMembers(text: string): JsonMember[] | undefined {
  let index = skipSpace(text, 0);
  if (text[index] !== '{') return undefined;
  const members: JsonMember[] = [];
  index = skipSpace(text, index + 1);
  if (text[index] === '}') return members;
  for (;;) {
    const keyEnd = endOfString(text, index);
    const key = JSON.parse(text.slice(index, keyEnd + 1)) as string;
    const colon = skipSpace(text, keyEnd + 1);
    const valueStart = skipSpace(text, colon + 1);
    const valueEnd = endOfValue(text, valueStart);
    members.push({ key, valueText: text.slice(valueStart, valueEnd + 1) });
    index = skipSpace(text, valueEnd + 1);
    if (text[index] !== ',') return members;
    index = skipSpace(text, index + 1);
  }
}

/** JSON's own white space (RFC 8259): space, tab, line feed, carriage return. */
function skipSpace(text: string, start: number): number {
  let index = start;
  while (text[index] === ' ' || text[index] === '\t' || text[index] === '\n' || text[index] === '\r') index += 1;
  return index;
}

/** Index of the last character of the value starting at `start`. */
function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start);
  if (first === '{' || first === '[') return endOfNesting(text, start);
  let end = start;
  while (end + 1 < text.length && !/[\s,\]}]/.test(text[end + 1]!)) end += 1;
  return end;
}

/** Index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '"') return index;
  }
  return text.length - 1;
}

/** Index of the bracket that closes the object or array opening at `start`. */
function endOfNesting(text: string, start: number): number {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (char === '"') index = endOfString(text, index);
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return text.length - 1;
}
