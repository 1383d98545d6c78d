/**
 * No import cycles in extension/ and webview/. The graph comes from TypeScript's parser (no type check):
 * every relative import, export-from, dynamic import() and `import('…')` type. Two graphs:
 *   - what runs: value imports only (`import type`, imports whose specifiers are all `type`, `export type … from`
 *     and `import('…')` types left out; an import of names that are only used as types still counts, being
 *     what the source says);
 *   - everything, type-only imports included: a cycle through types is still one design knot, and becomes a
 *     load-order cycle the day one of its imports loses its `type`.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIRS = ['extension', 'webview'];

interface Edge {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(rel));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec.replace(/\.js$/, '')));
  for (const f of [`${base}.ts`, `${base}/index.ts`]) if (fs.existsSync(path.join(ROOT, f))) return f;
  return undefined;
}

function edgesOf(file: string): Edge[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (spec: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(spec)) return;
    const to = resolve(file, spec.text);
    if (to) edges.push({ from: file, to, line: sf.getLineAndCharacterOfPosition(spec.getStart(sf)).line + 1, typeOnly });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) {
      const c = n.importClause;
      // `import { type A, type B } from` is erased like `import type`; `import {} from` and `import 'x'` are not.
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const allTypes = !!c && !c.name && !!named && named.length > 0 && named.every((s) => s.isTypeOnly);
      add(n.moduleSpecifier, !!c && (c.isTypeOnly || allTypes));
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier) {
      const named = n.exportClause && ts.isNamedExports(n.exportClause) ? n.exportClause.elements : undefined;
      add(n.moduleSpecifier, n.isTypeOnly || (!!named && named.length > 0 && named.every((s) => s.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) {
      add(n.moduleReference.expression, n.isTypeOnly);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) {
      add(n.argument.literal, true);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments.length > 0) {
      add(n.arguments[0], false);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return edges;
}

/** The graph's strongly connected components with more than one file (or a file importing itself). */
function knots(files: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (next.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) strong(f);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One cycle through `start` inside its knot (shortest, by breadth-first search). */
function cycleThrough(start: string, knot: Set<string>, edges: Edge[]): Edge[] {
  const prev = new Map<string, Edge>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const e of edges) {
      if (e.from !== v || !knot.has(e.to)) continue;
      if (e.to === start) {
        const path = [e];
        for (let x = v; x !== start; x = prev.get(x)!.from) path.unshift(prev.get(x)!);
        return path;
      }
      if (!prev.has(e.to)) {
        prev.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return [];
}

const show = (e: Edge) => `${e.from}:${e.line} → ${e.to}${e.typeOnly ? ' (type)' : ''}`;

/** A readable account of each knot: one cycle, then every import inside it. */
function describe(found: string[][], edges: Edge[]): string {
  return found
    .map((k) => {
      const set = new Set(k);
      const inside = edges.filter((e) => set.has(e.from) && set.has(e.to));
      const cycle = cycleThrough(k[0], set, inside);
      return [
        `cycle among ${k.join(', ')}:`,
        `  e.g. ${cycle.map(show).join('\n       ')}`,
        '  imports inside it:',
        ...inside.map((e) => `    ${show(e)}`),
      ].join('\n');
    })
    .join('\n');
}

const files = DIRS.flatMap(sourceFiles).sort();
const all = files.flatMap(edgesOf);
const values = all.filter((e) => !e.typeOnly);

test('the import graph covers extension/ and webview/', () => {
  assert.ok(files.length > 50, `${files.length} files`);
  assert.ok(files.includes('extension/extension.ts') && files.includes('webview/layer/index.ts'));
  // the scanner sees both kinds of import (value, type-only) and resolves folders' index.ts
  assert.ok(all.some((e) => e.from === 'extension/extension.ts' && e.to === 'extension/ui/commands/index.ts' && !e.typeOnly));
  assert.ok(all.some((e) => e.from === 'extension/ui/commands/services.ts' && e.to === 'extension/ui/panels/panels.ts' && e.typeOnly));
});

test('no import cycles among value imports (what runs)', () => {
  const found = knots(files, values);
  assert.equal(found.length, 0, `import cycles:\n${describe(found, values)}`);
});

const typed = knots(files, all);

test('no import cycles, type-only imports included', () => {
  assert.equal(typed.length, 0, `import cycles (type-only imports included):\n${describe(typed, all)}`);
});
