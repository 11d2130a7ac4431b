/**
 * @module main/ipc
 * One IPC channel per contract method (`dme:<method>`), each refusing a
 * sender that is not our window's top frame at our own renderer origin, then
 * handing the arguments to the engine, which validates them against the
 * contract. No channel exists for anything else, so an unknown one has no
 * handler (and the preload refuses it before it is sent).
 */
import { DESKTOP_METHODS, IPC_PREFIX } from '../shared/contract.js';
import { err, type Result } from '../shared/result.js';
import type { IpcEventLike, IpcMainLike } from './electron-api.js';

export interface TrustPolicy {
  /** webContents id of the app window (changes if it is re-created). */
  windowId(): number | null;
  /** The renderer's origin: 'file://' for the packaged app, or the dev server's origin. */
  origin: string;
}

export function senderTrusted(event: IpcEventLike, policy: TrustPolicy): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false; // iframes never speak for the app
  if (event.sender.id !== policy.windowId()) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  return policy.origin === 'file://' ? url.protocol === 'file:' : url.origin === policy.origin;
}

export function registerIpc(ipcMain: IpcMainLike, call: (method: string, args: unknown) => Promise<Result<unknown>>, policy: TrustPolicy): () => void {
  for (const method of DESKTOP_METHODS) {
    ipcMain.handle(`${IPC_PREFIX}${method}`, async (event, args) => {
      if (!senderTrusted(event, policy)) return err('FORBIDDEN', 'This request did not come from the DME window.');
      return call(method, args);
    });
  }
  return () => DESKTOP_METHODS.forEach((m) => ipcMain.removeHandler(`${IPC_PREFIX}${m}`));
}
