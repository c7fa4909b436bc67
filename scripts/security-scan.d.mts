/** Types of security-scan.mjs, for the TypeScript tests that import it. */
export type ScanIssue = {
  id: string;
  severity: string;
  confidence: string;
  file: string;
  line: number;
  description: string;
  silenced: boolean;
};
export declare const EXCLUDED_CHECKS: Record<string, string>;
export declare function unexplainedDisables(options?: { root?: string; folders?: string[] }): string[];
export declare function scan(options?: { root?: string; folders?: string[]; output?: string }): Promise<{
  issues: ScanIssue[];
  errors: unknown[];
  checks: number;
}>;
