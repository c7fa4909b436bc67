/**
 * Checks a file the CLI is told to read (`apply --file`, `import --file`, `verify --file`)
 * before anything else happens, so a typo is answered in plain words and no ledger is
 * opened, let alone created, on its account.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { fail, succeed, type Result } from '#shared/errors';

export function checkInputFile(path: string, flag = '--file'): Result<string> {
  if (path === '') return fail('VALIDATION', `${flag} is empty: give the path of a file to read`);
  let stats;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    return fail('VALIDATION', `The file ${path} cannot be examined (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  if (stats === undefined) return fail('NOT_FOUND', `The file ${path} does not exist`);
  if (stats.isDirectory()) return fail('VALIDATION', `${path} is a folder; ${flag} needs a file`);
  if (!stats.isFile() && !stats.isFIFO()) return fail('VALIDATION', `${path} is not a regular file; ${flag} needs a file`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    return fail('VALIDATION', `The file ${path} cannot be read: permission denied`);
  }
  return succeed(path);
}
