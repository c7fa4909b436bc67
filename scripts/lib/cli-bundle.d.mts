/** Types of cli-bundle.mjs, for the TypeScript tests that import it. */
export declare const PROJECT_ROOT: string;
export declare const CLI_OUT_DIR: string;
export declare const CLI_BUNDLE: string;
export declare const CLI_INPUTS: string;
export declare function cliBundleIsCurrent(outDir?: string): boolean;
