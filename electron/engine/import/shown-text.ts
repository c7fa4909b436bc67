/** How refusals quote text from a file they refuse. */
import { UNSAFE_TEXT } from '#shared/rules';

const UNSAFE_CHARACTERS = new RegExp(UNSAFE_TEXT.source, 'gu');

/**
 * Text as a message shows it: cut at `limit` characters, and every character that could hide
 * or reorder what is read (control characters, text-direction marks) written as an escape
 * such as \u202e, so a refusal never carries them itself.
 */
export function shown(text: string, limit = 40): string {
  const cut = text.length > limit ? `${text.slice(0, limit)}…` : text;
  return cut.replace(UNSAFE_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
