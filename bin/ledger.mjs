#!/usr/bin/env node
/**
 * The `ledger` command (package.json "bin"; `npm run ledger` and `npx ledger` run it). Runs
 * the bundled CLI in dist-cli/, building it first when it is missing or older than its
 * sources, so the command always is the code in this folder.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_BUNDLE, CLI_OUT_DIR, cliBundleIsCurrent } from '../scripts/lib/cli-bundle.mjs';

if (!cliBundleIsCurrent()) {
  try {
    const { buildCli } = await import('../scripts/build-cli.mjs');
    await buildCli();
  } catch (error) {
    // Still one typed answer on stdout, as every other refusal of the command.
    const message = `The ledger command could not be built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run npm install, then npm run build:cli`;
    process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'STORAGE', message } })}\n`);
    process.exit(1);
  }
}
await import(pathToFileURL(join(CLI_OUT_DIR, CLI_BUNDLE)).href);
