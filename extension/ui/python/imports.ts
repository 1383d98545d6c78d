/**
 * Which files import a class: `from models.gan import Generator`, `import models.gan as m` then
 * `m.Generator`, relative imports; and the module a file is.
 * Pure text functions (no `vscode` import), tested in plain Node (test/unit/source-*.test.ts).
 */
import { type Token } from './tokens';
import { isName, isOp } from './syntax';
import { type PyFile } from './classes';

/** The module a file is, from its path relative to the workspace folder (`pkg/models/gan.py` → pkg.models.gan). */
export function moduleOf(relativePath: string): string[] {
  const parts = relativePath
    .replace(/\\/g, '/')
    .replace(/\.pyi?$/, '')
    .split('/')
    .filter((p) => p.length > 0 && p !== '.');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts;
}

/** Whether `imported` (`models.gan`) can name the module at `file` (pkg/models/gan): it ends its path. */
function names(imported: readonly string[], file: readonly string[]): boolean {
  if (imported.length === 0 || imported.length > file.length) return false;
  return imported.every((p, i) => p === file[file.length - imported.length + i]);
}

/** Whether the tokens hold `a . b . C` (not an attribute of something else). */
function hasDotted(tokens: Token[], parts: readonly string[]): boolean {
  const ts = tokens.filter((t) => t.kind !== 'comment' && t.kind !== 'newline');
  for (let i = 0; i < ts.length; i++) {
    if (!isName(ts[i], parts[0]) || isOp(ts[i - 1], '.')) continue;
    let ok = true;
    for (let k = 1; k < parts.length && ok; k++) ok = isOp(ts[i + 2 * k - 1], '.') && isName(ts[i + 2 * k], parts[k]);
    if (ok) return true;
  }
  return false;
}

/**
 * Whether a file imports class `className` of the module at `sourceModule` (moduleOf): `from m import C`
 * (or `*`), or `import m` / `from pkg import m` then `m.C`. Relative imports are matched on their module's
 * name (`from .gan import C`).
 */
export function importsClass(file: PyFile, sourceModule: readonly string[], className: string): boolean {
  const top = className.split('.')[0];
  for (const b of file.imports) {
    if (b.name !== undefined) {
      if ((b.name === top || b.name === '*') && names(b.module, sourceModule)) return true;
      if (b.name !== '*' && names([...b.module, b.name], sourceModule) && hasDotted(file.tokens, [b.alias, top])) return true;
    } else if (names(b.module, sourceModule) && hasDotted(file.tokens, [...b.alias.split('.'), top])) return true;
  }
  return false;
}
