// ESLint (flat config): typescript-eslint's recommended rules (not type-checked, to stay fast) and the
// boundaries between the layers of the extension, for its current layout:
//   extension/engine/**  the dissection engine (ONNX Runtime; runs in its own process and in the CLI): no `vscode`;
//   extension/ui/**, extension/extension.ts (and the host's side of extension/host/)  the extension host: no ONNX
//     Runtime, so nothing that loads it (type-only imports are erased by esbuild and allowed);
//   extension/shared/**  what the host and the engine both use: neither `vscode` nor ONNX Runtime;
//   webview/**  the panels' browser apps: none of the Node side, only extension/protocol's types.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Engine modules that load ONNX Runtime (directly or through what they import), as regexes on import specifiers. */
const onnxEngine = [
  {
    regex: '^onnxruntime-node(/|$)',
    message: 'The extension host must not load ONNX Runtime: ask the engine process (extension/host/engine-client).',
  },
  {
    regex: '(^|/)engine/(onnx(/|$)|(dissect|interventions|models|causal|preview|intervene)(\\.[cm]?[jt]s)?$)',
    message: 'This engine module loads ONNX Runtime; the extension host must not (use extension/shared/, or `import type`).',
  },
];

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
    // extension/host/engine-client.ts and engine-protocol.ts are bundled into the host too (engine-main.ts is the engine's).
    files: ['extension/ui/**/*.ts', 'extension/extension.ts', 'extension/host/engine-client.ts', 'extension/host/engine-protocol.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': restrict({ patterns: onnxEngine }),
    },
  },
  {
    files: ['extension/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': restrict({ paths: [noVscode], types: false }),
    },
  },
  {
    files: ['extension/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': restrict({ paths: [noVscode], patterns: onnxEngine }),
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
            regex: '(^|/)extension/(engine|ui|host|shared)(/|$)',
            message: 'Webviews may import only extension/protocol (its types) from the extension side.',
          },
        ],
      }),
    },
  },
);
