#!/usr/bin/env node
/**
 * The same end-to-end suite (test/e2e/suite) in desktop VS Code, via @vscode/test-electron — for a developer
 * laptop with internet:
 *
 *   npm run build && npx tsc -p tsconfig.test.json && node test/e2e/electron.mjs
 *
 * It does NOT run on the project's build machines: test-electron downloads VS Code from
 * update.code.visualstudio.com on first use (ENOTFOUND there; no VS Code / Electron in Debian either).
 * There, use test/e2e/run.mjs (code-server + headless Chromium), which runs the very same suite.
 *
 * Needs the devDependency @vscode/test-electron (its install downloads nothing; the download happens here).
 * On Linux without a display, run it under xvfb-run. The suite also writes its JSON result to
 * $GD_E2E_RESULT (set below), and run() rejects on failure, so the exit code is non-zero on failure.
 *
 * Environment: GD_E2E_VSCODE_VERSION (default 1.139.1, the version code-server 4.139.1 embeds: same VS Code
 * in both harnesses; "stable" or "insiders" also work), GD_E2E_GREP (only matching tests).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');

let runTests;
try {
  ({ runTests } = await import('@vscode/test-electron'));
} catch {
  console.error('@vscode/test-electron is not installed: npm install --save-dev @vscode/test-electron');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-e2e-electron-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(HERE, 'workspace'), workspace, { recursive: true });
const resultFile = path.join(tmp, 'result.json');

let code;
try {
  code = await runTests({
    version: process.env.GD_E2E_VSCODE_VERSION ?? '1.139.1',
    extensionDevelopmentPath: REPO,
    extensionTestsPath: path.join(REPO, 'out', 'test', 'e2e', 'suite', 'index.js'),
    extensionTestsEnv: { GD_E2E_RESULT: resultFile, GD_E2E_GREP: process.env.GD_E2E_GREP },
    launchArgs: [
      workspace,
      '--disable-extensions', // other installed extensions stay off; the one under development still loads
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir',
      path.join(tmp, 'user-data'),
      '--extensions-dir',
      path.join(tmp, 'extensions'),
    ],
  });
} catch (e) {
  console.error(`test-electron failed: ${e?.message ?? e}`);
  code = 1;
}

if (fs.existsSync(resultFile)) {
  const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  for (const t of r.tests) console.log(`${t.state === 'passed' ? 'ok  ' : t.state === 'pending' ? 'skip' : 'FAIL'} ${t.title}`);
  console.log(`${r.passed} passed, ${r.failed} failed`);
  if (r.failed > 0) code ||= 1;
} else {
  console.log('0 passed, 1 failed');
  code ||= 1;
}
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(code);
