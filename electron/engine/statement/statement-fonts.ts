/**
 * The fonts a statement PDF embeds: Noto Sans SC (SIL Open Font License 1.1), shipped through
 * npm as @expo-google-fonts/noto-sans-sc. One family covers Latin, Cyrillic and CJK, so an
 * owner named 李白 or Алан prints as written, on any machine: no system font is ever used.
 * pdfkit embeds only the glyphs a document uses (a subset), so the files stay small.
 */
import { createRequire } from 'node:module';

const FONT_PACKAGE = '@expo-google-fonts/noto-sans-sc';

export const STATEMENT_FONTS = {
  regular: `${FONT_PACKAGE}/400Regular/NotoSansSC_400Regular.ttf`,
  bold: `${FONT_PACKAGE}/700Bold/NotoSansSC_700Bold.ttf`,
} as const;

export type StatementFont = keyof typeof STATEMENT_FONTS;

/** The font file's path, resolved from this module (a bundle passes its own file as import.meta.url). */
export function statementFontPath(font: StatementFont): string {
  return createRequire(import.meta.url).resolve(STATEMENT_FONTS[font]);
}
