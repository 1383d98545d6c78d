/** Insert Export Snippet's text (extension/ui/export-snippet.ts; issue 16). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { exportSnippet, hasExportImport, importLine } from '../../extension/ui/export-snippet';

test('the two lines, indented like the line they go on, with tab stops for the names', () => {
  const s = exportSnippet('        ');
  const lines = s.split('\n');
  assert.equal(lines[0], '        if ${1:step} % ${2:1000} == 0:');
  assert.equal(lines[1], '            export_generator(${3:G}, f"${4:checkpoints}/G_{${1:step}:06d}.onnx", z_dim=${5:Z}, step=${1:step})');
  // filled with the defaults, it is the call the README shows
  const filled = s.replace(/\$\{\d+:([^}]*)\}/g, '$1');
  assert.match(filled, /if step % 1000 == 0:\n\s+export_generator\(G, f"checkpoints\/G_\{step:06d\}\.onnx", z_dim=Z, step=step\)/);
});

test('the import is added once, after the docstring, comments and __future__ imports', () => {
  assert.ok(hasExportImport('import torch\nfrom gan_dissect_export import export_generator\n'));
  assert.ok(hasExportImport('import gan_dissect_export\n'));
  assert.ok(!hasExportImport('# from gan_dissect_export import export_generator\nx = "export_generator"\n'));
  assert.equal(importLine(['#!/usr/bin/env python', '"""Train a GAN.', '', 'More."""', 'from __future__ import annotations', 'import torch']), 5);
  assert.equal(importLine(["'''One line.'''", 'import torch']), 1);
  assert.equal(importLine(['import torch']), 0);
  assert.equal(importLine([]), 0);
});
