/**
 * The classes a model's generator may be, best first: what the user links a model to.
 * Pure text functions (no `vscode` import), tested in plain Node (test/unit/source-*.test.ts).
 */
import { moduleClassNames, type PyFile } from './classes';
import { findDefinition, type LayerName, modulesOf } from './modules';

export interface Candidate {
  file: string;
  class: string;
  /** The model's top-level modules (`layer4` of `layer4.conv`) that the class defines. */
  matched: string[];
  /** How many top-level modules the model has. */
  of: number;
  /** How many of the model's layers (paths) the class defines exactly. */
  exact: number;
  line: number;
}

/**
 * The torch module classes of the files whose attributes include the model's layers, best first (most
 * top-level modules defined, then most exact paths): what the user picks the generator's source from.
 */
export function candidateClasses(files: readonly { file: string; py: PyFile }[], layers: readonly LayerName[]): Candidate[] {
  const modules = moduleClassNames(files.map((f) => f.py));
  const tops = new Set(layers.flatMap((l) => [l.name, ...(l.aliases ?? [])]).map((n) => n.split('.')[0]));
  const out: Candidate[] = [];
  for (const f of files) {
    for (const c of f.py.classes) {
      if (!modules.has(c.qualname)) continue;
      const defs = modulesOf(f.py, c, new Set());
      const defined = new Set(defs.map((d) => d.name.split('.')[0]));
      const matched = [...tops].filter((t) => defined.has(t));
      if (matched.length === 0) continue;
      const exact = layers.filter((l) => findDefinition(defs, l)?.exact).length;
      out.push({ file: f.file, class: c.qualname, matched, of: tops.size, exact, line: c.line });
    }
  }
  return out.sort((a, b) => b.matched.length - a.matched.length || b.exact - a.exact || a.file.localeCompare(b.file) || a.line - b.line);
}
