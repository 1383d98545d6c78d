/**
 * Entry of the end-to-end suite: VS Code's extension host loads this file (extensionTestsPath) and calls
 * run(). It runs mocha (BDD: describe/it) over every `*.test.js` next to it — so adding a
 * `test/e2e/suite/<name>.test.ts` is all it takes to add tests — and writes a JSON result file:
 *   { passed, failed, pending, durationMs, tests: [{ title, state, error?, durationMs? }] }
 * to $GD_E2E_RESULT, or, when that variable is not set, to `<first workspace folder>/.gd-e2e-result.json`.
 *
 * Why a file: under code-server (test/e2e/run.mjs) the extension host exits 0 even when tests fail, so the
 * harness reads the file. Under @vscode/test-electron (test/e2e/electron.mjs) the rejected promise sets
 * the exit code as usual, and the file is written as well.
 *
 * Environment: GD_E2E_GREP=<regexp> runs only the matching tests; GD_E2E_TIMEOUT_MS (default 60000) is the
 * per-test timeout; GD_E2E_HOLD (set by the harness) is a file whose appearance lets run() return.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export interface E2eTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  error?: string;
  durationMs?: number;
}

export interface E2eResult {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: E2eTestResult[];
}

const RESULT_FILE_NAME = '.gd-e2e-result.json';
/** This file compiles to out/test/e2e/suite/index.js; its sources are in test/e2e/suite. */
const SOURCE_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'e2e', 'suite');

function resultPath(): string | undefined {
  if (process.env.GD_E2E_RESULT) return process.env.GD_E2E_RESULT;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, RESULT_FILE_NAME) : undefined;
}

function writeResult(result: E2eResult): void {
  const file = resultPath();
  if (!file) {
    console.error('[gd-e2e] no GD_E2E_RESULT and no workspace folder: result file not written');
    return;
  }
  // Write then rename, so that a harness polling for the file never reads half of it.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2));
  fs.renameSync(tmp, file);
  console.log(`[gd-e2e] result written to ${file}`);
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * Under the harness, keep the extension host alive after the tests until the harness says so (it creates
 * the file named by GD_E2E_HOLD): when run() returns, the test extension host shuts down, and the harness
 * may still be driving the workbench's UI. Capped at 10 minutes.
 */
async function holdUntilReleased(): Promise<void> {
  const file = process.env.GD_E2E_HOLD;
  if (!file) return;
  const deadline = Date.now() + 10 * 60_000;
  while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

export async function run(): Promise<void> {
  const started = Date.now();
  const tests: E2eTestResult[] = [];
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.GD_E2E_TIMEOUT_MS ?? 60_000),
    grep: process.env.GD_E2E_GREP ? new RegExp(process.env.GD_E2E_GREP) : undefined,
  });
  // Spec output for people reading the extension host's log / test-electron's terminal; results collected
  // from the runner's events for the file.
  mocha.reporter(Mocha.reporters.Spec);

  const finish = (extra?: E2eTestResult): E2eResult => {
    if (extra) tests.push(extra);
    const result: E2eResult = {
      passed: tests.filter((t) => t.state === 'passed').length,
      failed: tests.filter((t) => t.state === 'failed').length,
      pending: tests.filter((t) => t.state === 'pending').length,
      durationMs: Date.now() - started,
      tests,
    };
    writeResult(result);
    return result;
  };

  try {
    const files = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.js'))
      .filter((f) => {
        // tsc never deletes outputs: skip a compiled test whose source test/e2e/suite/<name>.test.ts is gone.
        const stale = fs.existsSync(SOURCE_DIR) && !fs.existsSync(path.join(SOURCE_DIR, f.replace(/\.js$/, '.ts')));
        if (stale) console.warn(`[gd-e2e] skipping ${f}: its source ${f.replace(/\.js$/, '.ts')} no longer exists`);
        return !stale;
      })
      .sort();
    if (files.length === 0) throw new Error(`no *.test.js files in ${__dirname} (did tsc -p tsconfig.test.json run?)`);
    for (const f of files) mocha.addFile(path.join(__dirname, f));
    await mocha.loadFilesAsync();
  } catch (err) {
    finish({ title: 'e2e suite: loading test files', state: 'failed', error: errorText(err) });
    throw err;
  }

  const result = await new Promise<E2eResult>((resolve) => {
    try {
      const runner = mocha.run(() => resolve(finish()));
      runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (t: Mocha.Test) => {
        tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
      });
      // Also fires for failing hooks (title "<suite> \"before all\" hook ..."), so those count as failures.
      runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (t: Mocha.Runnable, err: unknown) => {
        tests.push({ title: t.fullTitle(), state: 'failed', error: errorText(err), durationMs: t.duration });
      });
      runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (t: Mocha.Test) => {
        tests.push({ title: t.fullTitle(), state: 'pending' });
      });
    } catch (err) {
      resolve(finish({ title: 'e2e suite: running mocha', state: 'failed', error: errorText(err) }));
    }
  });

  await holdUntilReleased();
  if (result.failed > 0) throw new Error(`${result.failed} end-to-end test(s) failed`);
}
