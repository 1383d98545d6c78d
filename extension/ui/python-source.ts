/**
 * Links between a generator's layers (PyTorch module paths from the ONNX graph) and the Python code that
 * defines them: `self.layer4 = nn.Sequential(…)` or `layer4 = nn.Sequential(…)`. Pure text functions (no
 * `vscode` import) so they are tested in plain Node.
 */

export interface ModuleDefinition {
  /** The top-level module name (`layer4`). */
  name: string;
  /** 0-based line and the name's column range. */
  line: number;
  start: number;
  end: number;
}

const SELF_DEF = /^(\s*)self\.([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)/;
const LOCAL_DEF = /^(\s*)([A-Za-z_]\w*)\s*=\s*(?:nn|torch\.nn)\.\w+/;

/** Definitions of modules in a Python file, in line order. */
export function moduleDefinitions(text: string): ModuleDefinition[] {
  const defs: ModuleDefinition[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    let m = SELF_DEF.exec(line);
    if (m) {
      const start = line.indexOf('self.') + 5;
      defs.push({ name: m[2], line: i, start, end: start + m[2].length });
      return;
    }
    m = LOCAL_DEF.exec(line);
    if (m) {
      const start = m[1].length;
      defs.push({ name: m[2], line: i, start, end: start + m[2].length });
    }
  });
  return defs;
}

/** The top-level module of a layer's module path (`layer4.conv` → `layer4`). */
export function topModule(layer: string): string {
  return layer.split('.')[0];
}

/**
 * Picks, among files' definitions, the file that defines the most of a model's top-level modules (the
 * generator's class), and returns its definition of `layer`.
 */
export function bestDefinition(
  files: { file: string; defs: ModuleDefinition[] }[],
  modelLayers: readonly string[],
  layer: string,
): { file: string; def: ModuleDefinition } | undefined {
  const wanted = new Set(modelLayers.map(topModule));
  const name = topModule(layer);
  let best: { file: string; def: ModuleDefinition; score: number } | undefined;
  for (const f of files) {
    const def = f.defs.find((d) => d.name === name);
    if (!def) continue;
    const score = new Set(f.defs.filter((d) => wanted.has(d.name)).map((d) => d.name)).size;
    if (!best || score > best.score) best = { file: f.file, def, score };
  }
  return best && { file: best.file, def: best.def };
}

/** The identifier at `character` in a line (`self.layer4(x)` at 'l' of layer4 → `layer4`). */
export function identifierAt(line: string, character: number): { name: string; start: number; end: number } | undefined {
  const re = /[A-Za-z_]\w*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) {
    if (character >= m.index && character <= m.index + m[0].length) return { name: m[0], start: m.index, end: m.index + m[0].length };
  }
  return undefined;
}
