/**
 * The text rules of shared/rules.ts, the one place open, deposit/withdraw/transfer memos, the
 * legacy import and the renderer's forms take them from: owners that would display as empty
 * (only zero-width, filler or combining characters) and text carrying direction marks
 * (LRM, RLM, ALM) or unpaired surrogates are refused with VALIDATION and a plain sentence.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_SCHEMAS } from '#shared/commands';
import * as formRules from '../../renderer/src/lib/rules';
import { failure, newLedger, ok } from './helpers';

/** Owners that show nothing on any screen or in any export. */
const INVISIBLE_OWNERS = [
  '\u3164', // HANGUL FILLER
  '\u115F', // HANGUL CHOSEONG FILLER
  '\u1160', // HANGUL JUNGSEONG FILLER
  '\uFFA0', // HALFWIDTH HANGUL FILLER
  '\u2800', // BRAILLE PATTERN BLANK
  '\u200B', // ZERO WIDTH SPACE
  '\u200B\u200C\u200D\u2060', // zero-width space, non-joiner, joiner, word joiner
  '\uFEFF\u200B', // a byte-order mark inside (trim removes it only at the ends)
  '\u0301', // a combining mark alone
  '\u0301\u0308\u20DD',
  '\u034F', // COMBINING GRAPHEME JOINER
  '\uFE0F', // a variation selector alone
  '\u00AD', // SOFT HYPHEN
  '\u{E0041}\u{E0042}', // tag characters
  '\u3164 \u2800 \u200B',
  '\u{1D173}', // MUSICAL SYMBOL BEGIN BEAM (a format character)
];

/** Owners carrying direction marks or broken text. */
const MARKED_OWNERS = ['Ada\u200E', '\u200FBob', 'A\u061Cb', '\u200E', 'Eve\u200F\u200E', 'A\uD800b', 'A\uDC00', '\uD83D'];

/** Owners that look like names and must stay accepted. */
const VISIBLE_OWNERS = ['Ada', 'e\u0301mile', '李白', '❤\uFE0F', 'Zoë 🦊 Fox', 'A\u200BB', 'ㅎ', '\u2801', 'O\u0308', '👩‍👩‍👧', 'ا', '-', '.'];

describe('owner text rules (open)', () => {
  it('refuses owners that display as empty, naming the rule in a plain sentence, and writes nothing', () => {
    const { ledger, api } = newLedger();
    for (const owner of INVISIBLE_OWNERS) {
      const error = failure(api.openAccount({ account: 'x1', owner, currency: 'EUR' }), 'VALIDATION');
      expect(error.message, JSON.stringify(owner)).toBe(
        'The field "owner" must contain at least one visible character (not only spaces, zero-width or filler characters)',
      );
    }
    expect(ledger.logHead().position).toBe(0);
  });

  it('refuses LRM, RLM and ALM marks and unpaired surrogates in owners', () => {
    const { ledger, api } = newLedger();
    for (const owner of MARKED_OWNERS) {
      const error = failure(api.openAccount({ account: 'x1', owner, currency: 'EUR' }), 'VALIDATION');
      expect(error.message, JSON.stringify(owner)).toMatch(/^The field "owner" must not contain control characters, text-direction marks/);
    }
    expect(ledger.logHead().position).toBe(0);
  });

  it('keeps accepting owners that show something, combining marks and joiners inside them included', () => {
    const { api } = newLedger();
    VISIBLE_OWNERS.forEach((owner, index) => {
      expect(ok(api.openAccount({ account: `v${index}`, owner, currency: 'EUR' })).account).toBe(`v${index}`);
    });
  });
});

describe('memo text rules (deposit, withdraw, transfer)', () => {
  it('refuses direction marks and unpaired surrogates; an empty or invisible memo is allowed (a memo may be empty)', () => {
    const { ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', initial: '10.00' }));
    ok(api.openAccount({ account: 'b', owner: 'Bob', currency: 'EUR' }));
    for (const memo of ['pay\u200Eback', '\u200F', 'A\u061Cb', 'x\uD800']) {
      expect(failure(api.deposit({ account: 'a', amount: '1', memo }), 'VALIDATION').message).toMatch(
        /^The field "memo" must not contain control characters \(other than line breaks\), text-direction marks/,
      );
      failure(api.withdraw({ account: 'a', amount: '1', memo }), 'VALIDATION');
      failure(api.transfer({ from: 'a', to: 'b', amount: '1', memo }), 'VALIDATION');
    }
    expect(ledger.logHead().position).toBe(2);
    for (const memo of ['', '\u200B', 'line one\r\nline two', 'שלום world']) ok(api.deposit({ account: 'a', amount: '1', memo }));
  });
});

describe('the forms take the same rules', () => {
  it('accepts an owner or memo exactly when the engine schema does', () => {
    const texts = [...INVISIBLE_OWNERS, ...MARKED_OWNERS, ...VISIBLE_OWNERS, '', '  ', ' Ada ', 'a\nb', '\u202E', 'x'.repeat(201)];
    for (const text of texts) {
      const ownerOk = COMMAND_SCHEMAS.open.safeParse({ account: 'a', owner: text, currency: 'EUR' }).success;
      expect(formRules.checkOwner(text) === undefined, `owner ${JSON.stringify(text)}`).toBe(ownerOk);
      const memoOk = COMMAND_SCHEMAS.deposit.safeParse({ account: 'a', amount: '1', memo: text }).success;
      expect(formRules.checkMemo(text) === undefined, `memo ${JSON.stringify(text)}`).toBe(memoOk);
    }
    expect(formRules.checkOwner('\u3164')).toMatch(/visible character/);
    expect(formRules.checkOwner('Ada\u200E')).toMatch(/text-direction marks/);
  });

  it('command ids refuse direction marks too', () => {
    const { api } = newLedger();
    failure(api.openAccount({ account: 'a', owner: 'Ada', currency: 'EUR', commandId: 'id\u200E' }), 'VALIDATION');
  });
});
