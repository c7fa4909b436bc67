/** Types of build-electron.mjs, for the TypeScript tests that import it. */
export declare function buildElectron(options?: { outDir?: string; log?: (message: string) => void }): Promise<string>;
export declare function preloadRequires(source: string): string[];
/** esbuild options giving a CommonJS bundle its own file URL as import.meta.url. */
export declare const IMPORT_META_URL_IN_CJS: { define: Record<string, string>; banner: { js: string } };
