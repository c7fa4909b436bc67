/**
 * The one path-traversal check of the two hosts that serve the built renderer as files (the
 * main process's app:// protocol and the preview host's static files). Node only, no engine
 * and no Electron, so both may import it.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** True when `path` is strictly below `folder` (never the folder itself). */
function isBelow(folder: string, path: string): boolean {
  const inside = relative(folder, path);
  return inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside);
}

/**
 * Maps a DECODED URL path to a regular file strictly inside `root`, or undefined. Refuses NUL
 * bytes, backslashes, `..` that leaves the root, the root itself, folders, and symbolic links
 * that lead outside: the last check is on the resolved real path, not on the request's text.
 * Answers the real path.
 */
export async function resolveServedFile(root: string, decodedPath: string): Promise<string | undefined> {
  if (decodedPath.includes('\0') || decodedPath.includes('\\')) return undefined;
  const resolvedRoot = resolve(root);
  const candidate = resolve(resolvedRoot, `.${sep}${decodedPath.replace(/^\/+/, '')}`);
  if (!isBelow(resolvedRoot, candidate)) return undefined;
  try {
    const [real, realRoot] = await Promise.all([realpath(candidate), realpath(resolvedRoot)]);
    if (!isBelow(realRoot, real)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
