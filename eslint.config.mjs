// ESLint (flat config): typescript-eslint's recommended rules (not type-checked, to stay fast) and the
// boundaries between the three runtimes and the code they share:
//   extension/shared/**   plain data and files: imported by the engine, the host and the webviews; neither `vscode`
//                         nor ONNX Runtime, nor anything of extension/engine/ or extension/ui/;
//   extension/engine/**, extension/engine-process/main.ts   Node + ONNX Runtime (the engine process and the CLI): no `vscode`;
//   extension/ui/**, extension/extension.ts, extension/engine-process/client.ts   the extension host: nothing of
//                         extension/engine/ (not even types: the host speaks to the engine only through
//                         extension/shared/engine-protocol.ts) and no ONNX Runtime;
//   webview/**            the panels' browser apps: only extension/shared/webview/** from the extension side.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noOnnx = {
  regex: '^onnxruntime-node(/|$)',
  message: 'The extension host must not load ONNX Runtime: ask the engine process (extension/engine-process/client.ts).',
};
const noEngine = {
  regex: '(^|/)engine(/|$)',
  message: 'Only the engine imports extension/engine/: the host asks the engine process, shared code holds plain types (extension/shared/).',
};
const noUi = { regex: '(^|/)ui(/|$)', message: "extension/ui/ is the extension host's: the engine and shared code may not import it." };

const noVscode = { name: 'vscode', message: 'Only the extension host (extension/ui/**, extension/extension.ts) may import vscode.' };

/** A `no-restricted-imports` setting; type-only imports allowed unless `types` is false. */
function restrict({ paths = [], patterns = [], types = true }) {
  return [
    'error',
    {
      paths: paths.map((p) => ({ ...p, allowTypeImports: types })),
      patterns: patterns.map((p) => ({ ...p, allowTypeImports: types })),
    },
  ];
}

export default defineConfig(
  {
    ignores: [
      'dist/',
      'out/',
      'node_modules/',
      'test/e2e/code-server/',
      'test/e2e/.tools/',
      'tools/',
      'gan-dissect-demo/',
      'gan-dissect-example/',
      '.gl/',
      '.whl/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // A `_`-prefixed parameter is there for the signature only (e.g. a Lit directive's render(_props)).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // ---- boundaries ----
  {
    files: ['extension/ui/**/*.ts', 'extension/extension.ts', 'extension/engine-process/client.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': restrict({ types: false, patterns: [noOnnx, noEngine] }),
    },
  },
  {
    files: ['extension/engine/**/*.ts', 'extension/engine-process/main.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': restrict({ paths: [noVscode], patterns: [noUi], types: false }),
    },
  },
  {
    files: ['extension/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': restrict({ paths: [noVscode], patterns: [noOnnx, noEngine, noUi], types: false }),
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': restrict({
        types: false,
        paths: [
          { name: 'vscode', message: 'Webviews run in a browser: talk to the host with postMessage (webview/shared/host.ts).' },
          { name: 'onnxruntime-node', message: "Webviews run in a browser: ONNX Runtime is the engine's." },
        ],
        patterns: [
          {
            regex: '(^|/)extension/(?!shared/webview/)',
            message: 'Webviews may import only extension/shared/webview/** from the extension side.',
          },
        ],
      }),
    },
  },
);
