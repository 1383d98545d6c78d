/**
 * The HTML shell of a webview panel: strict CSP with a nonce (scripts and the toolkit's one style element),
 * the app's ESM bundle, which appends its own root element; nothing inline.
 */
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';

export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  app: 'layer' | 'unit' | 'intervene' | 'causal' | 'artifacts' | 'training' | 'compare',
  title: string,
): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${app}.js`));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${nonce}">
<title>${title.replace(/[<&"]/g, '')}</title>
</head>
<body>
<script type="module" nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export function panelOptions(roots: vscode.Uri[]): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: roots };
}
