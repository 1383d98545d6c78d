/**
 * The one seam between a webview app and its extension host. Apps never touch `acquireVsCodeApi`,
 * `window.postMessage` or the message event directly: they get a `Host` from `connectHost()`.
 *
 * Inside VS Code the seam wraps `acquireVsCodeApi()`. Tests define `window.__gdTestHost` (same shape as
 * the VS Code API: postMessage / getState / setState) before the bundle loads, and push host messages with
 * `window.postMessage(msg, '*')`, exactly as VS Code delivers them.
 */
import type { AnyProtocol, FromWebview, ResponseMessage } from '../../extension/shared/webview/common';

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

/** The host as one panel's app sees it: that panel's messages, and its requests as typed pairs. */
export interface Host<P extends AnyProtocol> {
  post(msg: P['webview']): void;
  onMessage(cb: (m: P['host']) => void): void;
  getState<T>(): T | undefined;
  setState<T>(s: T): void;
  /** Posts a request of `kind` and resolves with its `response`'s result (rejects with the response's error). */
  request<K extends keyof P['requests'] & string>(kind: K, params: P['requests'][K]['params']): Promise<P['requests'][K]['result']>;
}

let connected: Host<AnyProtocol> | undefined;

function isMessage(data: unknown): data is { type: string } {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}

/** Connects to the host (once per page; later calls return the same Host). */
export function connectHost<P extends AnyProtocol>(): Host<P> {
  if (connected) return connected as Host<P>;
  const api: VsCodeApi = window.__gdTestHost ?? acquireVsCodeApi();
  const listeners: ((m: P['host']) => void)[] = [];
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;

  window.addEventListener('message', (event: MessageEvent) => {
    const data: unknown = event.data;
    if (!isMessage(data)) return;
    if (data.type === 'response') {
      const r = data as ResponseMessage<P['requests']>;
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      if (r.error !== undefined) p.reject(new Error(r.error));
      else if (r.result === undefined) p.reject(new Error('The host answered without a result.'));
      else p.resolve(r.result);
      return;
    }
    for (const cb of listeners) cb(data as P['host']);
  });

  const host: Host<P> = {
    post: (msg) => api.postMessage(msg),
    onMessage: (cb) => void listeners.push(cb),
    getState: <T>() => (api.getState() ?? undefined) as T | undefined,
    setState: <T>(s: T) => api.setState(s),
    request: <K extends keyof P['requests'] & string>(kind: K, params: P['requests'][K]['params']) =>
      new Promise<P['requests'][K]['result']>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: (r) => resolve(r as P['requests'][K]['result']), reject });
        api.postMessage({ type: 'request', id, kind, params } as FromWebview<P>);
      }),
  };
  connected = host as unknown as Host<AnyProtocol>;
  return host;
}
