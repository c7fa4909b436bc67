/** Bundles bridge.ts for the browser, in memory, once per run (a few milliseconds with esbuild). */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const BRIDGE_ENTRY = fileURLToPath(new URL('./bridge.ts', import.meta.url));

export async function bundleBridge(): Promise<string> {
  const result = await build({
    entryPoints: [BRIDGE_ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no bridge bundle');
  return output.text;
}
