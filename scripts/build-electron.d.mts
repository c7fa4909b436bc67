/** Types of build-electron.mjs, for the TypeScript tests that import it. */
export declare function buildElectron(options?: { outDir?: string; log?: (message: string) => void }): Promise<string>;
export declare function preloadRequires(source: string): string[];
