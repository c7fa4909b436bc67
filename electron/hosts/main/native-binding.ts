/**
 * Which better_sqlite3.node the main process loads.
 *
 * node_modules/better-sqlite3 holds the build for Node's ABI (tests, CLI, bench). Electron
 * has another ABI, so `npm start` (scripts/start.mjs) builds a copy for Electron OUTSIDE
 * node_modules, in .cache/electron-native/, and passes its path in LEDGER_NATIVE_BINDING;
 * the engine hands it to better-sqlite3's `nativeBinding` option. A packaged app never
 * reads that variable: electron-builder rebuilt the module in place for Electron and
 * unpacked it from the asar, and loading a native module named by an environment variable
 * is exactly the kind of code injection the RunAsNode / NODE_OPTIONS fuses shut off.
 */

export const NATIVE_BINDING_VARIABLE = 'LEDGER_NATIVE_BINDING';

export function resolveNativeBinding(isPackaged: boolean, env: NodeJS.ProcessEnv): string | undefined {
  if (isPackaged) return undefined;
  const path = env[NATIVE_BINDING_VARIABLE]?.trim();
  return path ? path : undefined;
}
