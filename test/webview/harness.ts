/**
 * Runs a webview bundle in real headless Chromium: a tiny HTTP server on 127.0.0.1 serves a page (with a
 * strict CSP and VS Code's --vscode-* variables of Dark Modern, Light Modern or Dark High Contrast, switched
 * as VS Code switches them: a class on the body) that defines `window.__gdTestHost` before loading
 * dist/webview/<app>.js. With GD_WEBVIEW_SCREENSHOTS=DIR, each screenshot is taken in all three themes. The test host records posted messages and keeps setState in sessionStorage, so
 * state survives a reload as in VS Code; the test pushes HostMessages with window.postMessage.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FromWebview, ToWebview } from '../../extension/shared/webview/common';
import type { LayerProtocol } from '../../extension/shared/webview/layer';
import type { UnitProtocol } from '../../extension/shared/webview/unit';
import type { InterveneProtocol } from '../../extension/shared/webview/intervene';
import type { CausalProtocol } from '../../extension/shared/webview/causal';
import type { ArtifactsProtocol } from '../../extension/shared/webview/artifacts';
import type { TrainingProtocol } from '../../extension/shared/webview/training';
import type { CompareProtocol } from '../../extension/shared/webview/compare';

/** What any panel's host posts to its webview (its messages and the responses to its requests). */
export type HostMessage =
  | ToWebview<LayerProtocol>
  | ToWebview<UnitProtocol>
  | ToWebview<InterveneProtocol>
  | ToWebview<CausalProtocol>
  | ToWebview<ArtifactsProtocol>
  | ToWebview<TrainingProtocol>
  | ToWebview<CompareProtocol>;
/** What any panel's webview posts (its messages and its requests). */
export type WebviewMessage =
  | FromWebview<LayerProtocol>
  | FromWebview<UnitProtocol>
  | FromWebview<InterveneProtocol>
  | FromWebview<CausalProtocol>
  | FromWebview<ArtifactsProtocol>
  | FromWebview<TrainingProtocol>
  | FromWebview<CompareProtocol>;

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NONCE = 'gdTestNonce0123456789';

/** The host will give a CSP like this one (script by nonce, images from the webview's own origin). */
const CSP = [`default-src 'none'`, `img-src 'self'`, `script-src 'nonce-${NONCE}'`, `style-src 'nonce-${NONCE}'`, `font-src 'self'`].join('; ');

/** VS Code's theme kinds, as the body's class names them. */
export type ThemeKind = 'vscode-dark' | 'vscode-light' | 'vscode-high-contrast';
export const THEMES: readonly ThemeKind[] = ['vscode-dark', 'vscode-light', 'vscode-high-contrast'];

const FONTS = `--vscode-font-family: system-ui, "Ubuntu", "Droid Sans", sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
  --vscode-editor-font-family: monospace;`;

/** Dark Modern, as VS Code defines the variables on the webview's root. */
const DARK_THEME = `
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f85149;
  --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc; --vscode-focusBorder: #0078d4;
  --vscode-textLink-foreground: #4daafc; --vscode-textLink-activeForeground: #4daafc;
  --vscode-list-hoverBackground: #2a2d2e; --vscode-list-activeSelectionBackground: #04395e;
  --vscode-list-activeSelectionForeground: #ffffff; --vscode-list-focusOutline: #0078d4;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #026ec1;
  --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #cccccc;
  --vscode-button-secondaryHoverBackground: #3c3c3c; --vscode-button-border: #ffffff12;
  --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-input-border: #3c3c3c;
  --vscode-input-placeholderForeground: #989898; --vscode-checkbox-background: #313131;
  --vscode-checkbox-border: #3c3c3c; --vscode-checkbox-foreground: #cccccc; --vscode-settings-checkboxBorder: #3c3c3c;
  --vscode-panelTitle-activeBorder: #0078d4; --vscode-panelTitle-activeForeground: #cccccc;
  --vscode-panelTitle-inactiveForeground: #9d9d9d; --vscode-panel-background: #181818; --vscode-panel-border: #2b2b2b;
  --vscode-editorWidget-background: #202020; --vscode-editorWidget-border: #313131; --vscode-widget-border: #313131;
  --vscode-charts-foreground: #cccccc; --vscode-charts-red: #f14c4c; --vscode-charts-blue: #3794ff;
  --vscode-charts-yellow: #cca700; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185;
  --vscode-charts-purple: #b180d7; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-progressBar-background: #0078d4; --vscode-editorWarning-foreground: #cca700;
  --vscode-inputValidation-errorBackground: #5a1d1d; --vscode-inputValidation-errorBorder: #be1100;
  --vscode-scrollbarSlider-background: #79797966;`;

/** Light Modern. */
const LIGHT_THEME = `
  --vscode-foreground: #3b3b3b; --vscode-descriptionForeground: #3b3b3b; --vscode-errorForeground: #f85149;
  --vscode-editor-background: #ffffff; --vscode-editor-foreground: #3b3b3b; --vscode-focusBorder: #005fb8;
  --vscode-textLink-foreground: #005fb8; --vscode-textLink-activeForeground: #005fb8;
  --vscode-list-hoverBackground: #f2f2f2; --vscode-list-activeSelectionBackground: #e8e8e8;
  --vscode-list-activeSelectionForeground: #000000; --vscode-list-focusOutline: #005fb8;
  --vscode-button-background: #005fb8; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #0258a8;
  --vscode-button-secondaryBackground: #e5e5e5; --vscode-button-secondaryForeground: #3b3b3b;
  --vscode-button-secondaryHoverBackground: #cccccc; --vscode-button-border: #0000001a;
  --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #cecece;
  --vscode-input-placeholderForeground: #767676; --vscode-checkbox-background: #f8f8f8;
  --vscode-checkbox-border: #cecece; --vscode-checkbox-foreground: #3b3b3b; --vscode-settings-checkboxBorder: #cecece;
  --vscode-panelTitle-activeBorder: #005fb8; --vscode-panelTitle-activeForeground: #3b3b3b;
  --vscode-panelTitle-inactiveForeground: #3b3b3b; --vscode-panel-background: #f8f8f8; --vscode-panel-border: #e5e5e5;
  --vscode-editorWidget-background: #f8f8f8; --vscode-editorWidget-border: #c8c8c8; --vscode-widget-border: #e5e5e5;
  --vscode-charts-foreground: #616161; --vscode-charts-red: #e51400; --vscode-charts-blue: #1a85ff;
  --vscode-charts-yellow: #bf8803; --vscode-charts-orange: #d18616; --vscode-charts-green: #388a34;
  --vscode-charts-purple: #652d90; --vscode-badge-background: #cccccc; --vscode-badge-foreground: #3b3b3b;
  --vscode-progressBar-background: #005fb8; --vscode-editorWarning-foreground: #bf8803;
  --vscode-inputValidation-errorBackground: #f2dede; --vscode-inputValidation-errorBorder: #be1100;
  --vscode-scrollbarSlider-background: #64646466;`;

/** Dark High Contrast: black, white text, cyan and orange borders (contrastBorder, contrastActiveBorder). */
const HC_THEME = `
  --vscode-foreground: #ffffff; --vscode-descriptionForeground: #ffffffb3; --vscode-errorForeground: #f48771;
  --vscode-editor-background: #000000; --vscode-editor-foreground: #ffffff; --vscode-focusBorder: #f38518;
  --vscode-contrastBorder: #6fc3df; --vscode-contrastActiveBorder: #f38518;
  --vscode-textLink-foreground: #21a6ff; --vscode-textLink-activeForeground: #21a6ff;
  --vscode-list-hoverBackground: transparent; --vscode-list-activeSelectionBackground: transparent;
  --vscode-list-activeSelectionForeground: #ffffff; --vscode-list-focusOutline: #f38518;
  --vscode-button-background: #000000; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #000000;
  --vscode-button-secondaryBackground: #000000; --vscode-button-secondaryForeground: #ffffff;
  --vscode-button-secondaryHoverBackground: #000000; --vscode-button-border: #6fc3df;
  --vscode-input-background: #000000; --vscode-input-foreground: #ffffff; --vscode-input-border: #6fc3df;
  --vscode-input-placeholderForeground: #ffffffb3; --vscode-checkbox-background: #000000;
  --vscode-checkbox-border: #6fc3df; --vscode-checkbox-foreground: #ffffff; --vscode-settings-checkboxBorder: #6fc3df;
  --vscode-panelTitle-activeBorder: #6fc3df; --vscode-panelTitle-activeForeground: #ffffff;
  --vscode-panelTitle-inactiveForeground: #ffffff; --vscode-panel-background: #000000; --vscode-panel-border: #6fc3df;
  --vscode-editorWidget-background: #0c141f; --vscode-editorWidget-border: #6fc3df; --vscode-widget-border: #6fc3df;
  --vscode-charts-foreground: #ffffff; --vscode-charts-red: #f48771; --vscode-charts-blue: #3794ff;
  --vscode-charts-yellow: #ffd700; --vscode-charts-orange: #f38518; --vscode-charts-green: #89d185;
  --vscode-charts-purple: #b180d7; --vscode-badge-background: #000000; --vscode-badge-foreground: #ffffff;
  --vscode-progressBar-background: #6fc3df; --vscode-editorWarning-foreground: #ffd700;
  --vscode-inputValidation-errorBackground: #000000; --vscode-inputValidation-errorBorder: #f48771;
  --vscode-scrollbarSlider-background: #6fc3df99;`;

function pageHtml(app: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta property="csp-nonce" content="${NONCE}">
<style nonce="${NONCE}">
  html { ${FONTS} }
  html:has(body.vscode-dark) { ${DARK_THEME} }
  html:has(body.vscode-light) { ${LIGHT_THEME} }
  html:has(body.vscode-high-contrast) { ${HC_THEME} }
  body { margin: 0; padding: 0 20px; background: var(--vscode-editor-background); color: var(--vscode-foreground);
         font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
</style>
<script nonce="${NONCE}">
  window.__posted = [];
  window.__states = [];
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + (e.sourceFile ? ' at ' + e.sourceFile.replace(location.origin, '') + ':' + e.lineNumber + ':' + e.columnNumber : '') + (e.sample ? ' ' + e.sample : '')));
  window.__gdTestHost = {
    postMessage(m) { window.__posted.push(JSON.parse(JSON.stringify(m))); },
    getState() { const s = sessionStorage.getItem('gd-state'); return s === null ? undefined : JSON.parse(s); },
    setState(s) { window.__states.push(s); sessionStorage.setItem('gd-state', JSON.stringify(s)); },
  };
</script>
<script type="module" nonce="${NONCE}" src="/dist/webview/${app}.js"></script>
</head><body class="vscode-dark" data-vscode-theme-kind="vscode-dark"></body></html>`;
}

declare global {
  interface Window {
    __posted: WebviewMessage[];
    __states: unknown[];
    __csp: string[];
  }
}

export interface Harness {
  browser: Browser;
  page: Page;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
  /** Loads (or reloads) the app's page; sessionStorage (the persisted state) survives unless `fresh`. */
  open(app: WebviewApp, opts?: { fresh?: boolean }): Promise<void>;
  push(msg: HostMessage): Promise<void>;
  posted(): Promise<WebviewMessage[]>;
  clearPosted(): Promise<void>;
  /** CSP violations reported by the page. */
  csp(): Promise<string[]>;
  /** With GD_WEBVIEW_SCREENSHOTS=DIR: DIR/NAME.png (dark), NAME-light.png and NAME-hc.png. */
  screenshot(name: string): Promise<void>;
  /** Switches the theme as VS Code does (the body's class and data-vscode-theme-kind). */
  theme(kind: ThemeKind): Promise<void>;
  close(): Promise<void>;
}

export type WebviewApp = 'layer' | 'unit' | 'intervene' | 'causal' | 'artifacts' | 'training' | 'compare';
const APPS: readonly WebviewApp[] = ['layer', 'unit', 'intervene', 'causal', 'artifacts', 'training', 'compare'];

export async function startHarness(images: Map<string, Buffer>): Promise<Harness> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the webview tests need it. Install it with \`apt-get install chromium\` (CI installs it), or set CHROMIUM_PATH.`,
    );
  }
  for (const app of APPS) {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'webview', `${app}.js`)), `dist/webview/${app}.js is missing: run \`npm run build\``);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
    const app = /^\/([a-z]+)\.html$/.exec(url.pathname);
    if (app && (APPS as readonly string[]).includes(app[1]))
      return send(200, 'text/html; charset=utf-8', pageHtml(app[1]), { 'content-security-policy': CSP });
    const dist = /^\/dist\/webview\/([a-z]+\.js(?:\.map)?)$/.exec(url.pathname);
    if (dist) {
      const file = path.join(ROOT, 'dist', 'webview', dist[1]);
      if (fs.existsSync(file)) return send(200, dist[1].endsWith('.map') ? 'application/json' : 'text/javascript', fs.readFileSync(file));
    }
    const img = images.get(url.pathname);
    if (img) return send(200, 'image/png', img);
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });

  return {
    browser,
    page,
    errors,
    async open(app, opts = {}) {
      if (opts.fresh) {
        await page.goto(`${base}/${app}.html`);
        await page.evaluate(() => sessionStorage.clear());
      }
      await page.goto(`${base}/${app}.html`);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    },
    push: (msg) => page.evaluate((m) => window.postMessage(m, '*'), msg),
    posted: () => page.evaluate(() => window.__posted),
    clearPosted: () => page.evaluate(() => void (window.__posted.length = 0)),
    csp: () => page.evaluate(() => window.__csp),
    theme: (kind) => setTheme(page, kind),
    async screenshot(name) {
      const dir = process.env.GD_WEBVIEW_SCREENSHOTS;
      if (!dir) return;
      fs.mkdirSync(dir, { recursive: true });
      const suffix: Record<ThemeKind, string> = { 'vscode-dark': '', 'vscode-light': '-light', 'vscode-high-contrast': '-hc' };
      const was = await page.evaluate(() => document.body.dataset.vscodeThemeKind as ThemeKind);
      for (const kind of THEMES) {
        await setTheme(page, kind);
        await page.screenshot({ path: path.join(dir, `${name}${suffix[kind]}.png`), fullPage: true });
      }
      await setTheme(page, was);
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function setTheme(page: Page, kind: ThemeKind): Promise<void> {
  await page.evaluate((k) => {
    document.body.classList.remove('vscode-dark', 'vscode-light', 'vscode-high-contrast');
    document.body.classList.add(k);
    document.body.dataset.vscodeThemeKind = k;
  }, kind);
  // a frame for the restyle, and for apps that redraw on a theme change (a MutationObserver on the body)
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Retries `fn` until it stops throwing (Lit renders asynchronously), up to `ms`. */
export async function eventually<T>(fn: () => Promise<T> | T, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
