/**
 * File → Restore from Export… with an export whose lines hold but whose seal does not (issue
 * 14.4 in the app): the bundled main process, on the stand-in Electron, asks whether the person
 * trusts the file. Cancel (the default) restores nothing and shows no second box; Restore Anyway
 * restores the lines and keeps only the seals that hold. The question names the reason in the
 * app's words, not the command line's flag.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { exportToFile } from '#engine/handlers';
import { latestLedgerSeal } from '#engine/history/ledger-history';
import { Ledger } from '#engine/ledger';
import { generateSigningKey } from '#engine/signing/keys';
import { MENU_IDS } from '../../electron/hosts/main/menu';
import { isSealRefusal, trustSealBox } from '../../electron/hosts/main/seal-dialogs';
import { tempFolder, tempLedger } from '../ipc/fixtures';
import { menuItem, quit, startAppOnRenderer, useMainBundle, WAIT } from './main-bundle';

const build = useMainBundle();

/** An export of two events whose seal's signature was changed (its lines untouched). */
async function exportWithBrokenSeal(folder: string): Promise<string> {
  const source = tempLedger();
  try {
    source.ledger.execute({ name: 'open', input: { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' } } as never);
    source.ledger.execute({ name: 'deposit', input: { account: 'alice', amount: '1.00' } } as never);
    const path = join(folder, 'export.jsonl');
    const written = await exportToFile(source.ledger, path, 'jsonl', {}, {}, generateSigningKey());
    if (!written.ok) throw new Error(written.error.message);
    const seal = latestLedgerSeal(source.ledger);
    if (!seal.ok || !seal.value) throw new Error('no seal');
    const signature = seal.value.signature;
    const changed = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const text = readFileSync(path, 'utf8');
    expect(text.split(signature).length).toBeGreaterThan(1);
    writeFileSync(path, text.split(signature).join(changed));
    return path;
  } finally {
    source.cleanup();
  }
}

describe('restoring an export whose seal does not hold', () => {
  it('asks first: Cancel restores nothing, Restore Anyway restores the lines without the broken seal', async () => {
    const work = tempFolder();
    const fake = await startAppOnRenderer(build.bundle, join(work.folder, 'ledger.db'), work.folder);
    try {
      const exportPath = await exportWithBrokenSeal(work.folder);
      const target = join(work.folder, 'restored.db');

      fake.dialogAnswers.open.push({ canceled: false, filePaths: [exportPath] });
      fake.dialogAnswers.save.push({ canceled: false, filePath: target });
      fake.dialogAnswers.messageBox.push(0);
      menuItem(fake, MENU_IDS.restoreFromExport).click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 1, 'the question').toBe(true), WAIT);
      const question = fake.messageBoxes[0]!;
      expect(question).toMatchObject({
        type: 'warning',
        message: 'The export’s seal does not hold',
        buttons: ['Cancel', 'Restore Anyway'],
        cancelId: 0,
        defaultId: 0,
      });
      expect(question.detail).toMatch(/does not hold: .*Nothing was restored\./);
      expect(question.detail).not.toContain('--ignore-seal');
      await new Promise((done) => setTimeout(done, 200));
      expect(fake.messageBoxes).toHaveLength(1);
      expect(existsSync(target)).toBe(false);

      fake.dialogAnswers.open.push({ canceled: false, filePaths: [exportPath] });
      fake.dialogAnswers.save.push({ canceled: false, filePath: target });
      fake.dialogAnswers.messageBox.push(1);
      menuItem(fake, MENU_IDS.restoreFromExport).click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 3, 'the question and the result').toBe(true), WAIT);
      expect(fake.messageBoxes[2]).toMatchObject({ message: 'Ledger restored' });
    } finally {
      quit(fake);
    }
    const restored = Ledger.open({ path: join(work.folder, 'restored.db'), actor: 'test', readOnly: true });
    try {
      if (!restored.ok) throw new Error(restored.error.message);
      expect(restored.value.info().lastPosition).toBe(2);
      expect(latestLedgerSeal(restored.value)).toEqual({ ok: true, value: null });
    } finally {
      if (restored.ok) restored.value.close();
      work.cleanup();
    }
  });

  it('asks only for a seal refusal, not for lines that fail', () => {
    const refusal = { code: 'INTEGRITY' as const, message: 'x', details: { reason: 'bad-signature' } };
    expect(isSealRefusal(refusal)).toBe(true);
    expect(isSealRefusal({ code: 'INTEGRITY', message: 'The export fails verification at line 3: …' })).toBe(false);
    expect(isSealRefusal({ code: 'ALREADY_EXISTS', message: 'x', details: { reason: 'wrong-key' } })).toBe(false);
    expect(
      trustSealBox({
        ...refusal,
        message:
          'The seal of the export E does not hold: R. Nothing was restored; restore it anyway only if you trust the file (--ignore-seal)',
      }).detail,
    ).toMatch(/^The seal of the export E does not hold: R\. Nothing was restored\.\n\n/);
  });
});
