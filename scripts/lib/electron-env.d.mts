/** Types of electron-env.mjs, for the TypeScript tests that import it. */
export declare const PROJECT_ROOT: string;
export declare const ELECTRON_MISSING_MESSAGE: string;
export declare function electronVersion(): string;
export declare function electronBinaryPath(): string | undefined;
export declare function betterSqliteVersion(): string;
export declare function electronNativeFolder(version?: string): string;
export declare function electronNativeBindingPath(version?: string): string;
export declare function ensureElectronNativeBinding(options?: {
  version?: string;
  log?: (message: string) => void;
  force?: boolean;
}): Promise<string>;
