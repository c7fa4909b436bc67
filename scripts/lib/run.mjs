/** Small process helpers for the scripts (no shell, so paths with spaces just work). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './electron-env.mjs';

/**
 * Runs a command to completion with inherited stdio; rejects on a non-zero exit.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {import('node:child_process').SpawnOptions} [options]
 * @returns {Promise<void>}
 */
export function run(command, args, options = {}) {
  return new Promise((/** @type {() => void} */ resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd: PROJECT_ROOT, ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${[command, ...args].join(' ')} ${signal ? `was killed by ${signal}` : `exited with ${code}`}`));
    });
  });
}

/** Builds the Svelte renderer into dist-renderer/ with the project's Vite. */
export function buildRenderer() {
  return run(process.execPath, [
    join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--config',
    'renderer/vite.config.ts',
  ]);
}

/**
 * Prints a message and ends the script with `code`.
 * @param {string} message
 * @returns {never}
 */
export function stop(message, code = 1) {
  console.error(`\n${message}\n`);
  process.exit(code);
}
