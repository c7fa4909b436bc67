/**
 * The main process's dialogs, modal to the app's window when there is one. Electron's
 * `dialog` comes from main.ts, the only file of the main process that imports Electron at runtime.
 */
import type {
  BrowserWindow,
  Dialog,
  MessageBoxOptions,
  MessageBoxReturnValue,
  OpenDialogOptions,
  OpenDialogReturnValue,
  SaveDialogOptions,
  SaveDialogReturnValue,
} from 'electron';

export type AppDialogs = {
  showMessageBox(options: MessageBoxOptions): Promise<MessageBoxReturnValue>;
  showOpenDialog(options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
  showSaveDialog(options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
  /** An error box: what failed, and the engine's message or what to do. */
  showError(message: string, detail: string): Promise<void>;
  showInfo(text: { message: string; detail: string }): Promise<void>;
};

export function createAppDialogs(dialog: Dialog, window: () => BrowserWindow | undefined, appName: string): AppDialogs {
  const showMessageBox = (options: MessageBoxOptions) => {
    const parent = window();
    return parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options);
  };
  return {
    showMessageBox,
    showOpenDialog: (options) => {
      const parent = window();
      return parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options);
    },
    showSaveDialog: (options) => {
      const parent = window();
      return parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options);
    },
    showError: async (message, detail) => {
      await showMessageBox({ type: 'error', title: appName, message, detail, buttons: ['OK'] });
    },
    showInfo: async ({ message, detail }) => {
      await showMessageBox({ type: 'info', title: appName, message, detail, buttons: ['OK'] });
    },
  };
}
