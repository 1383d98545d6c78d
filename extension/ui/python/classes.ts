/**
 * A Python file read: its classes (bases, methods' statements, the name each method calls `self`) and its
 * imports; which classes are torch modules.
 * Pure text functions (no `vscode` import), tested in plain Node (test/unit/source-*.test.ts).
 */
import { type Token, tokenize } from './tokens';
import { argsOf, closing, dottedName, isName, isOp, splitAt, statements, topLevel } from './syntax';

export interface PyClass {
  name: string;
  /** Enclosing classes' names and its own, dotted (`Outer.Inner`). */
  qualname: string;
  /** The bases as written (`nn.Module`, `Base`), keywords (`metaclass=`) left out. */
  bases: string[];
  line: number;
  start: number;
  end: number;
  /** The statements of its methods, each with the name its method calls `self`. */
  body: { tokens: Token[]; self: string }[];
}

export interface ImportBinding {
  /** `import a.b as c` → module ["a","b"], alias "c"; `from ..m import X as Y` → module ["m"], name "X", alias "Y". */
  module: string[];
  name?: string;
  /** The name it binds in the file (for `import a.b`, the dotted `a.b` that references use). */
  alias: string;
  relative: boolean;
}

export interface PyFile {
  tokens: Token[];
  classes: PyClass[];
  imports: ImportBinding[];
}

/** Reads a Python file: its tokens, classes (with their methods' statements) and imports. */
export function analyzePython(text: string): PyFile {
  const tokens = tokenize(text);
  const classes: PyClass[] = [];
  const imports: ImportBinding[] = [];
  type Frame = { kind: 'class'; indent: number; cls: PyClass } | { kind: 'def'; indent: number; self?: string };
  const stack: Frame[] = [];
  let decorators: string[] = [];
  for (const st of statements(tokens)) {
    while (stack.length > 0 && stack[stack.length - 1].indent >= st.indent) stack.pop();
    const ts = st.tokens;
    const top = stack[stack.length - 1];
    if (isOp(ts[0], '@')) {
      const d = dottedName(ts, 1);
      if (d) decorators.push(d.parts[d.parts.length - 1]);
      continue;
    }
    const decorated = decorators;
    decorators = [];
    if (isName(ts[0], 'class') && isName(ts[1])) {
      const outer = stack.filter((f) => f.kind === 'class').map((f) => (f as { cls: PyClass }).cls.name);
      const bases: string[] = [];
      if (isOp(ts[2], '(')) {
        for (const a of argsOf(ts, 2, closing(ts, 2))) {
          const d = a.keyword || a.starred ? undefined : dottedName(a.tokens);
          if (d) bases.push(d.parts.join('.'));
        }
      }
      const cls: PyClass = {
        name: ts[1].text,
        qualname: [...outer, ts[1].text].join('.'),
        bases,
        line: ts[1].line,
        start: ts[1].col,
        end: ts[1].endCol,
        body: [],
      };
      classes.push(cls);
      stack.push({ kind: 'class', indent: st.indent, cls });
      continue;
    }
    const defAt = isName(ts[0], 'def') ? 0 : isName(ts[0], 'async') && isName(ts[1], 'def') ? 1 : -1;
    if (defAt >= 0) {
      let self: string | undefined;
      if (top?.kind === 'class') {
        const first = ts[defAt + 3];
        const plain = !decorated.includes('staticmethod') && !decorated.includes('classmethod');
        if (plain && isOp(ts[defAt + 2], '(') && isName(first)) self = first.text;
      } else if (top?.kind === 'def') self = top.self;
      stack.push({ kind: 'def', indent: st.indent, self });
      continue;
    }
    if (isName(ts[0], 'import') || (isName(ts[0], 'from') && ts.some((t) => isName(t, 'import')))) {
      imports.push(...importsIn(ts));
      continue;
    }
    const cls = [...stack].reverse().find((f) => f.kind === 'class') as { cls: PyClass } | undefined;
    if (cls && top?.kind === 'def' && top.self) cls.cls.body.push({ tokens: ts, self: top.self });
  }
  return { tokens, classes, imports };
}

function importsIn(ts: Token[]): ImportBinding[] {
  const out: ImportBinding[] = [];
  const names = (part: Token[]) => {
    const d = dottedName(part);
    if (!d) return undefined;
    const alias = isName(part[d.length], 'as') && isName(part[d.length + 1]) ? part[d.length + 1].text : undefined;
    return { parts: d.parts, alias };
  };
  if (isName(ts[0], 'import')) {
    const rest = ts.slice(1);
    for (const part of splitAt(
      rest,
      topLevel(rest, (t) => isOp(t, ',')),
    )) {
      const n = names(part);
      if (n) out.push({ module: n.parts, alias: n.alias ?? n.parts.join('.'), relative: false });
    }
    return out;
  }
  // from [.]*module import names
  let i = 1;
  let relative = false;
  while (isOp(ts[i], '.') || isOp(ts[i], '...')) {
    relative = true;
    i++;
  }
  const mod = dottedName(ts, i);
  const module = mod ? mod.parts : [];
  i += mod ? mod.length : 0;
  if (!isName(ts[i], 'import')) return out;
  let rest = ts.slice(i + 1);
  if (isOp(rest[0], '(')) rest = rest.slice(1, closing(rest, 0));
  if (isOp(rest[0], '*')) return [{ module, name: '*', alias: '*', relative }];
  for (const part of splitAt(
    rest,
    topLevel(rest, (t) => isOp(t, ',')),
  )) {
    const n = names(part);
    if (n && n.parts.length === 1) out.push({ module, name: n.parts[0], alias: n.alias ?? n.parts[0], relative });
  }
  return out;
}

/** Bases that make a class a torch module (the last part of the dotted name: `nn.Module`, `torch.nn.Module`). */
const MODULE_BASES = new Set(['Module', 'Sequential', 'ModuleList', 'ModuleDict', 'LightningModule']);

/** The classes of `files` that are torch modules: a base in MODULE_BASES, or a module class of these files. */
export function moduleClassNames(files: readonly PyFile[]): Set<string> {
  const all = files.flatMap((f) => f.classes);
  const found = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of all) {
      if (found.has(c.qualname)) continue;
      if (c.bases.some((b) => MODULE_BASES.has(b.split('.').pop()!) || found.has(b) || found.has(b.split('.').pop()!))) {
        found.add(c.qualname);
        found.add(c.name);
        grew = true;
      }
    }
  }
  return found;
}

/** A class of the file by its qualified name (`Outer.Inner`), or by its name when that is unique. */
export function findClass(file: PyFile, name: string): PyClass | undefined {
  const exact = file.classes.find((c) => c.qualname === name);
  if (exact) return exact;
  const byName = file.classes.filter((c) => c.name === name);
  return byName.length === 1 ? byName[0] : undefined;
}
