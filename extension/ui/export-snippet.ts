/**
 * The "Insert Export Snippet" text (no `vscode` here: tested in plain Node): the two lines that export the
 * generator every N steps from a training loop with gan_dissect_export (python/), as a snippet with tab
 * stops, indented like the line it goes on; and whether the file still needs the import.
 */

/** The snippet (VS Code snippet syntax: ${1:G} tab stops) at `indent`. */
export function exportSnippet(indent: string): string {
  return (
    `${indent}if \${1:step} % \${2:1000} == 0:\n` +
    `${indent}    export_generator(\${3:G}, f"\${4:checkpoints}/G_{\${1:step}:06d}.onnx", z_dim=\${5:Z}, step=\${1:step})\n`
  );
}

export const EXPORT_IMPORT = 'from gan_dissect_export import export_generator\n';

/** Whether Python source already imports export_generator (a from-import, or the module itself). */
export function hasExportImport(text: string): boolean {
  return /^\s*from\s+gan_dissect_export\s+import\s+[^\n]*\bexport_generator\b/m.test(text) || /^\s*import\s+gan_dissect_export\b/m.test(text);
}

/**
 * The line the import goes before: after a module docstring, comments and `from __future__` imports, at
 * the first import (or the first code line).
 */
export function importLine(lines: readonly string[]): number {
  let i = 0;
  // a shebang, encoding line or comments, blank lines
  while (i < lines.length && (/^\s*#/.test(lines[i]) || lines[i].trim() === '')) i++;
  // a module docstring
  const doc = /^\s*[rRuU]?("""|''')/.exec(lines[i] ?? '');
  if (doc) {
    const q = doc[1];
    const rest = lines[i].slice(lines[i].indexOf(q) + 3);
    if (!rest.includes(q)) {
      i++;
      while (i < lines.length && !lines[i].includes(q)) i++;
    }
    i++;
  }
  while (i < lines.length && (lines[i].trim() === '' || /^\s*#/.test(lines[i]) || /^from\s+__future__\s+import/.test(lines[i]))) i++;
  return Math.min(i, lines.length);
}
