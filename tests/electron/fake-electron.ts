/**
 * A stand-in for the `electron` module, just large enough to run the bundled main process
 * (dist-electron/main.cjs) in plain Node: it records what the main process asks of Electron
 * (the scheme registration, the sandbox switch, windows and their options, IPC handlers,
 * the menu, dialogs, messages sent to the page) and lets a test play the user and the page.
 * It checks nothing Electron itself would enforce; tests/electron/app.test.ts covers the real
 * thing where the binary exists.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

type Listener = (...args: any[]) => any;

export class FakeWebContents extends EventEmitter {
  url = '';
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => unknown) | undefined;
  getURL(): string {
    return this.url;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload: structuredClone(payload) });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }
}

export type FakeElectronOptions = {
  readonly isPackaged?: boolean;
  readonly gotLock?: boolean;
  readonly userDataFallback: string;
  /** safeStorage: whether it can encrypt (default yes) and the Linux backend it names (default gnome_libsecret). */
  readonly safeStorage?: { readonly available?: boolean; readonly backend?: string };
};

const FAKE_CIPHER_PREFIX = Buffer.from('fake-safe-storage:');

/**
 * A stand-in for safeStorage's asynchronous API: a reversible scrambling (XOR, so the stored
 * bytes never hold the plain text) behind a prefix, so text it did not make fails to decrypt as
 * Electron's does. It protects nothing; it only lets tests see what the app stores.
 */
export function createFakeSafeStorage(options: { available?: boolean; backend?: string } = {}) {
  const calls: string[] = [];
  const scramble = (bytes: Buffer) => Buffer.from(bytes.map((byte) => byte ^ 0x5a));
  return {
    calls,
    reEncrypt: false,
    isAsyncEncryptionAvailable: async () => {
      calls.push('isAsyncEncryptionAvailable');
      return options.available ?? true;
    },
    encryptStringAsync: async (plainText: string) => {
      calls.push('encryptStringAsync');
      if (!(options.available ?? true)) throw new Error('Encryption is not available.');
      return Buffer.concat([FAKE_CIPHER_PREFIX, scramble(Buffer.from(plainText, 'utf8'))]);
    },
    async decryptStringAsync(this: { reEncrypt: boolean }, encrypted: Buffer) {
      calls.push('decryptStringAsync');
      if (!encrypted.subarray(0, FAKE_CIPHER_PREFIX.length).equals(FAKE_CIPHER_PREFIX))
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return { shouldReEncrypt: this.reEncrypt, result: scramble(encrypted.subarray(FAKE_CIPHER_PREFIX.length)).toString('utf8') };
    },
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
  };
}

export function createFakeElectron(options: FakeElectronOptions) {
  const log: string[] = [];
  let ready = false;
  let markReady: () => void = () => {};
  const whenReady = new Promise<void>((resolve) => (markReady = resolve));
  const paths = new Map<string, string>();
  const appEvents = new EventEmitter();

  const app = Object.assign(appEvents, {
    isPackaged: options.isPackaged ?? false,
    enableSandbox: () => log.push(`enableSandbox(ready=${ready})`),
    setPath: (name: string, value: string) => paths.set(name, value),
    getPath: (name: string) => paths.get(name) ?? `${options.userDataFallback}/${name}`,
    setAppUserModelId: () => {},
    requestSingleInstanceLock: () => {
      log.push('requestSingleInstanceLock');
      return options.gotLock ?? true;
    },
    quit: () => log.push('quit'),
    whenReady: () => whenReady,
  });

  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    readonly titles: string[] = [];
    readonly progress: number[] = [];
    readonly loaded: string[] = [];
    constructor(readonly options: Record<string, any>) {
      super();
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    static getAllWindows() {
      return [...windows];
    }
    loadURL(url: string) {
      this.loaded.push(url);
      this.webContents.url = url;
      return Promise.resolve();
    }
    setTitle(title: string) {
      this.titles.push(title);
    }
    setProgressBar(value: number) {
      this.progress.push(value);
    }
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    restore() {}
    show() {}
    focus() {}
  }

  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const privilegedSchemes: unknown[] = [];
  const protocol = {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      log.push(`registerSchemesAsPrivileged(ready=${ready})`);
      privilegedSchemes.push(...schemes);
    },
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => protocolHandlers.set(scheme, handler),
  };

  const sessionEvents = new EventEmitter();
  const sessionState: Record<string, Listener | undefined> = {};
  const defaultSession = Object.assign(sessionEvents, {
    setPermissionRequestHandler: (handler: Listener) => (sessionState.permissionRequest = handler),
    setPermissionCheckHandler: (handler: Listener) => (sessionState.permissionCheck = handler),
    setDevicePermissionHandler: (handler: Listener) => (sessionState.devicePermission = handler),
    webRequest: { onBeforeRequest: (_filter: unknown, handler: Listener) => (sessionState.beforeRequest = handler) },
  });

  const ipcHandlers = new Map<string, Listener>();
  const ipcMain = {
    handle: (channel: string, handler: Listener) => {
      if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
      ipcHandlers.set(channel, handler);
    },
  };

  const menus: Array<{ template: any[] }> = [];
  const Menu = {
    buildFromTemplate: (template: any[]) => ({ template }),
    setApplicationMenu: (menu: { template: any[] }) => menus.push(menu),
  };

  const dialogAnswers = {
    open: [] as Array<{ canceled: boolean; filePaths: string[] }>,
    save: [] as Array<{ canceled: boolean; filePath?: string }>,
    /** The buttons the person presses in message boxes, in order (the first button when none is left). */
    messageBox: [] as number[],
  };
  /** The options each dialog was shown with (the last argument; the first may be the parent window). */
  const dialogOptions = { open: [] as Array<Record<string, any>>, save: [] as Array<Record<string, any>> };
  const messageBoxes: Array<Record<string, any>> = [];
  const dialog = {
    showOpenDialog: async (...args: any[]) => {
      log.push('showOpenDialog');
      dialogOptions.open.push(args.at(-1));
      return dialogAnswers.open.shift() ?? { canceled: true, filePaths: [] };
    },
    showSaveDialog: async (...args: any[]) => {
      log.push('showSaveDialog');
      dialogOptions.save.push(args.at(-1));
      return dialogAnswers.save.shift() ?? { canceled: true };
    },
    showMessageBox: async (...args: any[]) => {
      messageBoxes.push(args.at(-1));
      return { response: dialogAnswers.messageBox.shift() ?? 0 };
    },
  };

  const safeStorage = createFakeSafeStorage(options.safeStorage);
  const electron = { app, BrowserWindow: FakeBrowserWindow, protocol, session: { defaultSession }, ipcMain, Menu, dialog, safeStorage };

  return {
    electron,
    log,
    windows,
    protocolHandlers,
    privilegedSchemes,
    sessionState,
    ipcHandlers,
    menus,
    dialogAnswers,
    dialogOptions,
    messageBoxes,
    paths,
    safeStorage,
    /** Fires `ready` the way Electron does once it is up. */
    becomeReady() {
      ready = true;
      markReady();
    },
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;

/**
 * Loads a CommonJS bundle with `require('electron')` answered by `fake`. The bundle is loaded
 * afresh each time (its module state is the app's state).
 */
export function loadWithFakeElectron(bundle: string, fake: FakeElectron): void {
  const require = createRequire(import.meta.url);
  const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === 'electron') return fake.electron;
    return original.call(this, request, ...rest);
  };
  try {
    delete require.cache[require.resolve(bundle)];
    require(bundle);
  } finally {
    Module._load = original;
  }
}
