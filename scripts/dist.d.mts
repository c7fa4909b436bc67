/** Types of dist.mjs, for the TypeScript tests that import it. */
export type DistTarget = { platform: string; arch: string };
export declare function targetsOf(args: string[], host?: { platform: string; arch: string }): DistTarget[];
export declare function cannotDownloadMessage(version: string, target: DistTarget, error: unknown): string;
