/**
 * Issue 14 in the Electron main process, through the stand-in Electron (fake-electron.ts, whose
 * safeStorage scrambles reversibly so the stored bytes can be inspected):
 * - the app's key is kept ENCRYPTED in userData (0600, no plaintext PEM on disk, never through a
 *   link, one key even when two first seals race), read back to the same key;
 * - Linux's basic_text backend is said on the audit screen's seal status;
 * - without safeStorage the app refuses to seal and writes no key at all;
 * - File → Seal Now and the seal on quit (only when the head moved, bounded, never holding quit).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { verifyExportFile } from '#engine/export/export-verify';
import { latestLedgerSeal } from '#engine/history/ledger-history';
import { readCheckpoint } from '#engine/store/head-checkpoint';
import { Ledger } from '#engine/ledger';
import { signingKeyFromPem } from '#engine/signing/keys';
import { APP_KEY_FILE_NAME, createAppSigningKey } from '../../electron/hosts/main/app-signing-key';
import { MENU_IDS } from '../../electron/hosts/main/menu';
import { chooseProofFile } from '../../electron/hosts/main/seal-dialogs';
import { sealOnQuit } from '../../electron/hosts/main/seal-on-quit';
import { CHANGE_NOTIFICATION_CHANNEL } from '#shared/ipc-contract';
import { tempFolder, tempLedger } from '../ipc/fixtures';
import { createFakeSafeStorage } from './fake-electron';
import { invoke, menuItem, quit, startAppOnRenderer, useMainBundle, WAIT } from './main-bundle';

const build = useMainBundle();

/** The PEM the fake key store holds for the key file at `path`. */
async function decrypted(path: string): Promise<string> {
  return (await createFakeSafeStorage().decryptStringAsync.call({ reEncrypt: false }, readFileSync(path))).result;
}

describe("the app's signing key, in the bundled main process", () => {
  it('Seal now makes the key encrypted in userData (0600, no plaintext), and seals with it', async () => {
    const work = tempFolder();
    const fake = await startAppOnRenderer(build.bundle, join(work.folder, 'ledger.db'), work.folder);
    const keyPath = join(work.folder, 'user-data', APP_KEY_FILE_NAME);
    try {
      await invoke(fake, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      expect(await invoke(fake, 'latestSeal')).toEqual({ ok: true, value: { seal: null, lastPosition: 1, key: null } });
      expect(existsSync(keyPath)).toBe(false);

      const sealed = await invoke(fake, 'sealNow');
      expect(sealed).toMatchObject({ ok: true, value: { treeSize: 1, fingerprint: expect.stringMatching(/^SHA256:/) } });
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      const stored = readFileSync(keyPath);
      expect(stored.toString('latin1')).not.toContain('PRIVATE KEY');
      const pem = await decrypted(keyPath);
      const body = pem.split('\n')[1]!;
      expect(stored.toString('latin1')).not.toContain(body);
      expect(stored.toString('latin1')).not.toContain(Buffer.from(body, 'base64').toString('latin1').slice(16));
      const key = signingKeyFromPem(pem, 'the key');
      expect(key.ok && key.value.publicKey).toBe(sealed.value.publicKey);
      expect(fake.safeStorage.calls).toContain('encryptStringAsync');
      // Nothing else was left beside it (no temporary, no plaintext copy).
      expect(readdirSync(join(work.folder, 'user-data')).filter((name) => name.includes('signing'))).toEqual([APP_KEY_FILE_NAME]);

      const status = await invoke(fake, 'latestSeal');
      expect(status.value).toEqual({
        seal: sealed.value,
        lastPosition: 1,
        key: { publicKey: sealed.value.publicKey, fingerprint: sealed.value.fingerprint },
      });
      expect(JSON.stringify(status)).not.toContain(body);
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('says so on the seal status when Linux has only the basic_text backend', async () => {
    const work = tempFolder();
    const fake = await startAppOnRenderer(build.bundle, join(work.folder, 'ledger.db'), work.folder, {
      safeStorage: { backend: 'basic_text' },
    });
    try {
      const status = await invoke(fake, 'latestSeal');
      if (process.platform === 'linux') {
        expect(status.value.keyWarning).toMatch(/basic_text.*protected only by its file permissions/);
      } else {
        expect(status.value.keyWarning).toBeUndefined();
      }
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('refuses to seal without safeStorage and writes no key, plain or otherwise', async () => {
    const work = tempFolder();
    const fake = await startAppOnRenderer(build.bundle, join(work.folder, 'ledger.db'), work.folder, {
      safeStorage: { available: false },
    });
    try {
      await invoke(fake, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      const refused = await invoke(fake, 'sealNow');
      expect(refused).toMatchObject({ ok: false, error: { code: 'STORAGE', details: { reason: 'no-key-store' } } });
      expect(refused.error.message).toMatch(/never keeps a key unencrypted, so it cannot seal/);
      expect((await invoke(fake, 'latestSeal')).value).toMatchObject({ seal: null, key: null, unavailable: refused.error.message });
      const userData = join(work.folder, 'user-data');
      expect(existsSync(userData) ? readdirSync(userData).filter((name) => name.includes('signing')) : []).toEqual([]);
      expect(fake.safeStorage.calls).not.toContain('encryptStringAsync');
    } finally {
      quit(fake);
      work.cleanup();
    }
  });

  it('File → Seal Now seals, tells the page and names the seal; quitting seals a head that moved, once', async () => {
    const work = tempFolder();
    const ledgerPath = join(work.folder, 'ledger.db');
    const fake = await startAppOnRenderer(build.bundle, ledgerPath, work.folder);
    try {
      await invoke(fake, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      const sent = fake.windows[0]!.webContents.sent.length;
      menuItem(fake, MENU_IDS.sealNow).click();
      await vi.waitFor(() => expect(fake.messageBoxes.length > 0, 'the message box').toBe(true), WAIT);
      expect(fake.messageBoxes[0]).toMatchObject({
        message: 'Ledger sealed',
        detail: expect.stringMatching(/^The first 1 event are sealed with the key SHA256:/),
      });
      expect(fake.windows[0]!.webContents.sent.slice(sent)).toContainEqual({
        channel: CHANGE_NOTIFICATION_CHANNEL,
        payload: expect.objectContaining({ lastPosition: 1, readOnly: false }),
      });

      await invoke(fake, 'deposit', { account: 'alice', amount: '1.00' });
      let prevented = false;
      fake.electron.app.emit('before-quit', { preventDefault: () => (prevented = true) });
      expect(prevented).toBe(true);
      await vi.waitFor(() => expect(fake.log.includes('quit'), 'the quit after sealing and the backup').toBe(true), WAIT);
      const status = await invoke(fake, 'latestSeal');
      expect(status.value.seal).toMatchObject({ treeSize: 2, fingerprint: status.value.key.fingerprint });
      // The backup made on the same quit holds that seal.
      const backups = join(work.folder, 'user-data', 'backups');
      const [backup] = readdirSync(backups).filter((name) => name.endsWith('.db'));
      const copy = Ledger.open({ path: join(backups, backup!), actor: 'test', readOnly: true });
      if (!copy.ok) throw new Error(copy.error.message);
      const copied = latestLedgerSeal(copy.value);
      copy.value.close();
      expect(copied.ok && copied.value?.treeSize).toBe(2);

      let preventedAgain = false;
      fake.electron.app.emit('before-quit', { preventDefault: () => (preventedAgain = true) });
      expect(preventedAgain).toBe(false);
    } finally {
      quit(fake);
      work.cleanup();
    }
  });
});

describe('head checkpoints sealed with the app key', () => {
  it('a ledger opened once the app has a key writes checkpoints that are seals by it; before, unsigned', async () => {
    const work = tempFolder();
    const ledgerPath = join(work.folder, 'ledger.db');
    const first = await startAppOnRenderer(build.bundle, ledgerPath, work.folder);
    let publicKey = '';
    try {
      await invoke(first, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      publicKey = (await invoke(first, 'sealNow')).value.publicKey;
    } finally {
      quit(first);
    }
    // Opened before the app had a key: its checkpoint carries no seal.
    expect(readCheckpoint(ledgerPath)?.seal).toBeUndefined();

    const second = await startAppOnRenderer(build.bundle, ledgerPath, work.folder);
    try {
      await invoke(second, 'deposit', { account: 'alice', amount: '1.00' });
    } finally {
      quit(second);
      const checkpoint = readCheckpoint(ledgerPath);
      work.cleanup();
      expect(checkpoint).toMatchObject({ position: 2, seal: { treeSize: 2, publicKey } });
    }
  });
});

describe('exports from the app are sealed with its key', () => {
  it('File → Export Event Log… seals the head with the app key first; the export verifies under it', async () => {
    const work = tempFolder();
    const fake = await startAppOnRenderer(build.bundle, join(work.folder, 'ledger.db'), work.folder);
    try {
      await invoke(fake, 'openAccount', { account: 'alice', owner: 'Alice', currency: 'EUR', initial: '5.00' });
      await invoke(fake, 'deposit', { account: 'alice', amount: '1.00' });
      const target = join(work.folder, 'export.jsonl');
      fake.dialogAnswers.save.push({ canceled: false, filePath: target });
      menuItem(fake, 'file.export-event-log').click();
      await vi.waitFor(() => expect(fake.messageBoxes.length === 1, 'the result').toBe(true), WAIT);
      expect(fake.messageBoxes[0]).toMatchObject({ message: 'Event log exported' });
      const status = (await invoke(fake, 'latestSeal')).value;
      expect(status.seal).toMatchObject({ treeSize: 2, fingerprint: status.key.fingerprint });
      const verified = await verifyExportFile(target, { expectedPublicKey: status.key.publicKey });
      expect(verified).toMatchObject({ ok: true, events: 2, keyChecked: true, seal: { fingerprint: status.key.fingerprint } });

      // The audit screen's button does the same; a filtered export carries no seal of its own.
      const filtered = join(work.folder, 'filtered.jsonl');
      fake.dialogAnswers.save.push({ canceled: false, filePath: filtered });
      expect(await invoke(fake, 'exportEventLog', { format: 'jsonl', filter: { accounts: ['alice'] } })).toMatchObject({
        ok: true,
        value: { path: filtered, seal: null },
      });
    } finally {
      quit(fake);
      work.cleanup();
    }
  });
});

describe('createAppSigningKey, on its own', () => {
  const folderWith = () => {
    const work = tempFolder();
    return { ...work, keyFolder: join(work.folder, 'user-data') };
  };

  it('reads the key it made; two first uses at once make one key; a new process reads the same', async () => {
    const work = folderWith();
    try {
      const store = createFakeSafeStorage();
      const first = createAppSigningKey({ folder: work.keyFolder, keyStore: store, platform: 'linux' });
      expect(await first.load({ create: false })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const other = createAppSigningKey({ folder: work.keyFolder, keyStore: store, platform: 'linux' });
      const [a, b, c] = await Promise.all([first.load({ create: true }), first.load({ create: true }), other.load({ create: true })]);
      expect(a.ok && b.ok && c.ok).toBe(true);
      const publicKey = a.ok ? a.value.publicKey : '';
      expect([b, c].map((each) => each.ok && each.value.publicKey)).toEqual([publicKey, publicKey]);
      const later = await createAppSigningKey({ folder: work.keyFolder, keyStore: store, platform: 'linux' }).load({ create: false });
      expect(later.ok && later.value.publicKey).toBe(publicKey);
      expect(statSync(work.keyFolder).mode & 0o777).toBe(0o700);
      expect(readdirSync(work.keyFolder)).toEqual([APP_KEY_FILE_NAME]);
    } finally {
      work.cleanup();
    }
  });

  it('re-encrypts when the key store asks, keeping the same key', async () => {
    const work = folderWith();
    try {
      const store = createFakeSafeStorage();
      const made = await createAppSigningKey({ folder: work.keyFolder, keyStore: store, platform: 'linux' }).load({ create: true });
      const path = join(work.keyFolder, APP_KEY_FILE_NAME);
      store.reEncrypt = true;
      const again = await createAppSigningKey({ folder: work.keyFolder, keyStore: store, platform: 'linux' }).load({ create: false });
      expect(again.ok && made.ok && again.value.publicKey === made.value.publicKey).toBe(true);
      expect(store.calls.filter((call) => call === 'encryptStringAsync')).toHaveLength(2);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readdirSync(work.keyFolder)).toEqual([APP_KEY_FILE_NAME]);
    } finally {
      work.cleanup();
    }
  });

  it('refuses a link, loose permissions, another key store’s file and a stranger, each in words, and reads none', async () => {
    const work = folderWith();
    try {
      mkdirSync(work.keyFolder, { mode: 0o700 });
      const path = join(work.keyFolder, APP_KEY_FILE_NAME);
      const load = () =>
        createAppSigningKey({ folder: work.keyFolder, keyStore: createFakeSafeStorage(), platform: 'linux' }).load({ create: true });
      const made = join(work.folder, 'elsewhere.enc');
      writeFileSync(made, 'x', { mode: 0o600 });
      symlinkSync(made, path);
      expect(await load()).toMatchObject({ ok: false, error: { code: 'STORAGE', details: { reason: 'link' } } });
      expect(readFileSync(made, 'utf8')).toBe('x');

      rmSync(path);
      writeFileSync(path, 'encrypted elsewhere', { mode: 0o600 });
      const foreign = await load();
      expect(foreign).toMatchObject({ ok: false, error: { code: 'STORAGE', details: { reason: 'cannot-decrypt' } } });
      if (!foreign.ok) expect(foreign.error.message).toMatch(/Move the file away/);
      expect(readFileSync(path, 'utf8')).toBe('encrypted elsewhere');

      chmodSync(path, 0o644);
      const loose = await load();
      expect(loose).toMatchObject({ ok: false, error: { details: { reason: 'loose-permissions' } } });
      if (!loose.ok) expect(loose.error.message).toMatch(/mode 0644.*chmod 600/);
    } finally {
      work.cleanup();
    }
  });

  it('warns of basic_text on Linux only', () => {
    const folder = '/nowhere';
    expect(
      createAppSigningKey({ folder, keyStore: createFakeSafeStorage({ backend: 'basic_text' }), platform: 'linux' }).warning(),
    ).toMatch(/only by its file permissions/);
    expect(
      createAppSigningKey({ folder, keyStore: createFakeSafeStorage({ backend: 'kwallet6' }), platform: 'linux' }).warning(),
    ).toBeUndefined();
    expect(
      createAppSigningKey({ folder, keyStore: createFakeSafeStorage({ backend: 'basic_text' }), platform: 'darwin' }).warning(),
    ).toBeUndefined();
  });
});

describe('sealing on quit, bounded', () => {
  it('skips an unmoved head, a read-only ledger, too many unsealed events and a slow key store; never throws', async () => {
    const { ledger, cleanup, folder } = tempLedger();
    try {
      const store = createFakeSafeStorage();
      const key = createAppSigningKey({ folder: join(folder, 'user-data'), keyStore: store, platform: 'linux' });
      expect(await sealOnQuit({ ledger: undefined, key })).toEqual({ sealed: false, why: 'no ledger is open' });
      expect(await sealOnQuit({ ledger, key })).toEqual({ sealed: false, why: 'the ledger holds no events' });
      for (const account of ['a', 'b', 'c']) {
        ledger.execute({ name: 'open', input: { account, owner: account, currency: 'EUR', initial: '1.00' } } as never);
      }
      const logged: string[] = [];
      expect(await sealOnQuit({ ledger, key, mostEvents: 2, log: (line) => logged.push(line) })).toMatchObject({ sealed: false });
      expect(logged[0]).toMatch(/3 events since the latest seal would hold up quitting/);

      const slow = { load: () => new Promise<never>(() => {}) };
      const started = Date.now();
      expect(await sealOnQuit({ ledger, key: slow, limitMs: 50 })).toEqual({
        sealed: false,
        why: 'the key store did not hand over the signing key in time',
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      const throwing = { load: () => Promise.reject(new Error('boom')) };
      expect(await sealOnQuit({ ledger, key: throwing, log: () => {} })).toEqual({ sealed: false, why: 'an internal error' });

      expect(await sealOnQuit({ ledger, key })).toEqual({ sealed: true, treeSize: 3 });
      expect(await sealOnQuit({ ledger, key })).toEqual({ sealed: false, why: 'the head is sealed already' });
      ledger.execute({ name: 'deposit', input: { account: 'a', amount: '1.00' } } as never);
      const readOnly = Ledger.open({ path: ledger.path, actor: 'test', readOnly: true });
      if (!readOnly.ok) throw new Error(readOnly.error.message);
      expect(await sealOnQuit({ ledger: readOnly.value, key })).toEqual({
        sealed: false,
        why: 'the ledger is read-only (opened read-only)',
      });
      readOnly.value.close();
    } finally {
      cleanup();
    }
  });
});

describe('the proof save dialog', () => {
  it('offers ledger-event-N-proof.json in Documents, adds .json, refuses another extension and asks again', async () => {
    const shown: any[] = [];
    const errors: string[] = [];
    const answers = [
      { canceled: false, filePath: '/docs/proof.txt' },
      { canceled: false, filePath: '/docs/mine' },
    ];
    const chosen = await chooseProofFile(
      {
        showSaveDialog: async (options) => {
          shown.push(options);
          return answers.shift() ?? { canceled: true };
        },
        showError: async (message) => void errors.push(message),
        exists: () => false,
      },
      '/docs',
      7,
    );
    expect(chosen).toBe('/docs/mine.json');
    expect(shown[0]).toMatchObject({ defaultPath: '/docs/ledger-event-7-proof.json', filters: [{ extensions: ['json'] }] });
    expect(shown[0].properties).toContain('showOverwriteConfirmation');
    expect(errors).toEqual(['Choose another file name']);
  });
});
