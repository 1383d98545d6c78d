/**
 * The one seam between a webview app and its extension host. Apps never touch `acquireVsCodeApi`,
 * `window.postMessage` or the message event directly: they get a `Host` from `connectHost()`.
 *
 * Inside VS Code the seam wraps `acquireVsCodeApi()`. Tests define `window.__gdTestHost` (same shape as
 * the VS Code API: postMessage / getState / setState) before the bundle loads, and push host messages with
 * `window.postMessage(msg, '*')`, exactly as VS Code delivers them.
 */
import type { HostMessage, ResponseResult, WebviewMessage, WebviewRequest } from '../../extension/shared/webview/protocol';

/** What VS Code's `acquireVsCodeApi()` returns (the part we use). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  /** Defined by VS Code in webviews; callable once per page. */
  function acquireVsCodeApi(): VsCodeApi;
  interface Window {
    /** Test double for the VS Code API, defined by the webview tests before the app loads. */
    __gdTestHost?: VsCodeApi;
  }
}

export interface Host {
  post(msg: WebviewMessage): void;
  onMessage(cb: (m: HostMessage) => void): void;
  getState<T>(): T | undefined;
  setState<T>(s: T): void;
  /** Posts a request and resolves with its `response` (rejects with the response's error). */
  request(r: WebviewRequest): Promise<ResponseResult>;
}

let connected: Host | undefined;

function isHostMessage(data: unknown): data is HostMessage {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}

/** Connects to the host (once per page; later calls return the same Host). */
export function connectHost(): Host {
  if (connected) return connected;
  const api: VsCodeApi = window.__gdTestHost ?? acquireVsCodeApi();
  const listeners: ((m: HostMessage) => void)[] = [];
  const pending = new Map<number, { resolve: (r: ResponseResult) => void; reject: (e: Error) => void }>();
  let nextId = 1;

  window.addEventListener('message', (event: MessageEvent) => {
    const msg: unknown = event.data;
    if (!isHostMessage(msg)) return;
    if (msg.type === 'response') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else if (msg.result === undefined) p.reject(new Error('The host answered without a result.'));
      else p.resolve(msg.result);
      return;
    }
    for (const cb of listeners) cb(msg);
  });

  connected = {
    post: (msg) => api.postMessage(msg),
    onMessage: (cb) => void listeners.push(cb),
    getState: <T>() => (api.getState() ?? undefined) as T | undefined,
    setState: <T>(s: T) => api.setState(s),
    request: (request) =>
      new Promise<ResponseResult>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        api.postMessage({ type: 'request', id, request } satisfies WebviewMessage);
      }),
  };
  return connected;
}
