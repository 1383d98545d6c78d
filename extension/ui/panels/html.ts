/** The HTML shell of a webview panel: strict CSP with a nonce, the app's bundle, nothing inline. */
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, app: 'layer' | 'unit', title: string): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${app}.js`));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${title.replace(/[<&"]/g, '')}</title>
</head>
<body>
<gd-${app}-app></gd-${app}-app>
<script type="module" nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export function panelOptions(roots: vscode.Uri[]): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: roots };
}
