/** Types of build-cli.mjs, for the TypeScript tests that import it. */
export declare function buildCli(options?: { outDir?: string; log?: (line: string) => void }): Promise<string>;
