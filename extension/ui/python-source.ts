/**
 * Links between a generator's layers (PyTorch module paths from the ONNX graph: `layer4`, `layer4.conv`,
 * `features.3`, `blocks.b4`) and the Python code that defines them. Pure text functions (no `vscode` import)
 * so they are tested in plain Node (test/unit/python-source.test.ts, test/unit/source-*.test.ts).
 *
 * The heart is a tokenizer that knows Python's strings (single, double, triple-quoted, raw, bytes, f- and
 * t-strings with nested replacement fields, PEP 701 included), comments, brackets (implicit line joining) and
 * backslash continuations: nothing inside a string or a comment is ever taken for code. On its tokens:
 * - the classes of a file, their bases, and what each class assigns to its `self`: `self.layer4 = …`,
 *   `self.layer4.conv = …`, `self.features[3] = …`, `self.add_module("layer4", …)`, `setattr(self, "x", …)`;
 *   into those values: `nn.Sequential(a, b)` (children `0`, `1`), `nn.Sequential(OrderedDict(…))`,
 *   `nn.ModuleList([…])`, `nn.ModuleDict({"b4": …})`, and instances of another class of the same file
 *   (`self.layer4 = Block()` → Block's `self.conv = …` is `layer4.conv`);
 * - attribute references (`self.layer4`, `g.layer4.conv`, `self.features[3]`, `self.blocks["b4"]`);
 * - imports (`from models.gan import Generator`, `import models.gan as m` then `m.Generator`).
 */

// ------------------------------------------------------------------------------------------- tokenizer

export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'comment' | 'newline' | 'error';

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Offsets in the text (UTF-16 code units, as VS Code counts), end exclusive. */
  start: number;
  end: number;
  /** 0-based line and column of the start, and of the end. */
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** Strings: the prefix, lower-cased (`''`, `r`, `b`, `f`, `rb`, `fr`, `t`, …). */
  prefix?: string;
  /** Strings: the offsets of the content between the quotes. */
  contentStart?: number;
  contentEnd?: number;
  /** Strings: false when the closing quote is missing (the string runs to the end of its line, or of the file). */
  terminated?: boolean;
}

const NAME_RE = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUMBER_RE =
  /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)/y;
const STRING_PREFIX = /^(?:[rRuUbBfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;
const OPS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '->',
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '**',
  '//',
  '<<',
  '>>',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
];
const SINGLE_OPS = '()[]{},:;.+-*/%&|^~<>=@!';
const OPENERS = '([{';
const CLOSERS = ')]}';

const isNewline = (c: string | undefined) => c === '\n' || c === '\r';

/** Where each line starts (after \n, \r\n or \r, as Python and VS Code count lines). */
function lineStarts(s: string): number[] {
  const starts = [0];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\r' && s[i + 1] === '\n') {
      starts.push(i + 2);
      i++;
    } else if (c === '\n' || c === '\r') starts.push(i + 1);
  }
  return starts;
}

function position(starts: number[], offset: number): [number, number] {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return [lo, offset - starts[lo]];
}

interface StringEnd {
  contentEnd: number;
  end: number;
  terminated: boolean;
}

/**
 * The end of a string whose content starts at `j`. A backslash always escapes the next character for
 * finding the end (in raw strings too: `r"\""` is one string); a single-quoted string ends, unterminated, at
 * the end of its line; in f-strings `{{` is literal and `{` opens a replacement field.
 */
function scanStringBody(s: string, j: number, q: string, triple: boolean, isF: boolean): StringEnd {
  const close = triple ? q + q + q : q;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') {
      j += s[j + 1] === '\r' && s[j + 2] === '\n' ? 3 : 2;
      continue;
    }
    if (c === q && s.startsWith(close, j)) return { contentEnd: j, end: j + close.length, terminated: true };
    if (!triple && isNewline(c)) return { contentEnd: j, end: j, terminated: false };
    if (isF && c === '{') {
      if (s[j + 1] === '{') {
        j += 2;
        continue;
      }
      j = scanField(s, j + 1, q, triple);
      continue;
    }
    j++;
  }
  return { contentEnd: s.length, end: s.length, terminated: false };
}

/**
 * A replacement field of an f-string, from after its `{`: returns the offset after its `}` (or where the
 * string is broken off). Brackets nest; strings inside are scanned whole (PEP 701 lets them reuse the outer
 * quote); a `:` at the field's own level starts the format spec, which may hold nested fields.
 */
function scanField(s: string, j: number, q: string, triple: boolean): number {
  let depth = 0;
  while (j < s.length) {
    const c = s[j];
    if (!triple && isNewline(c)) return j;
    if (c === '"' || c === "'") {
      let k = j;
      while (k > 0 && /[rRbBfFtTuU]/.test(s[k - 1]) && j - k < 2) k--;
      const isF = /[fFtT]/.test(s.slice(k, j)) && (k === 0 || !/[\w]/.test(s[k - 1]));
      const tri = s.startsWith(c + c + c, j);
      const r = scanStringBody(s, j + (tri ? 3 : 1), c, tri, isF);
      if (!r.terminated) return r.end;
      j = r.end;
      continue;
    }
    if (OPENERS.includes(c)) depth++;
    else if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    else if (c === '}') {
      if (depth === 0) return j + 1;
      depth--;
    } else if (c === ':' && depth === 0) {
      // the format spec: literal text up to the field's `}`, with nested fields
      j++;
      while (j < s.length) {
        const d = s[j];
        if (d === '{') {
          j = scanField(s, j + 1, q, triple);
          continue;
        }
        if (d === '}') return j + 1;
        if (!triple && isNewline(d)) return j;
        if (d === q && s.startsWith(triple ? q + q + q : q, j)) return j;
        j += d === '\\' ? 2 : 1;
      }
      return j;
    }
    j++;
  }
  return j;
}

/**
 * Python tokens, with comments, and a `newline` token at the end of each logical line (none inside
 * brackets or after a backslash continuation). Never throws: what it cannot read becomes an `error` token.
 */
export function tokenize(s: string): Token[] {
  const starts = lineStarts(s);
  const out: Token[] = [];
  let depth = 0;
  let pendingLine = false; // a logical line has tokens and no newline token yet
  const push = (kind: TokenKind, start: number, end: number, extra: Partial<Token> = {}) => {
    const [line, col] = position(starts, start);
    const [endLine, endCol] = position(starts, end);
    out.push({ kind, text: s.slice(start, end), start, end, line, col, endLine, endCol, ...extra });
    if (kind !== 'comment' && kind !== 'newline') pendingLine = true;
  };
  const newline = (at: number, len: number) => {
    if (depth === 0 && pendingLine) {
      push('newline', at, at + len);
      pendingLine = false;
    }
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '\\') {
      const nl = s[i + 1] === '\r' && s[i + 2] === '\n' ? 2 : isNewline(s[i + 1]) ? 1 : 0;
      if (nl > 0) {
        i += 1 + nl; // a continuation: the logical line goes on
        continue;
      }
      push('error', i, i + 1);
      i++;
      continue;
    }
    if (isNewline(c)) {
      const len = c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      newline(i, len);
      i += len;
      continue;
    }
    if (c === '#') {
      let j = i;
      while (j < s.length && !isNewline(s[j])) j++;
      push('comment', i, j);
      i = j;
      continue;
    }
    NAME_RE.lastIndex = i;
    const name = NAME_RE.exec(s);
    if (name) {
      const after = i + name[0].length;
      if ((s[after] === '"' || s[after] === "'") && STRING_PREFIX.test(name[0])) {
        i = string(i, after, name[0].toLowerCase());
        continue;
      }
      push('name', i, after);
      i = after;
      continue;
    }
    if (c === '"' || c === "'") {
      i = string(i, i, '');
      continue;
    }
    if (/[0-9.]/.test(c)) {
      NUMBER_RE.lastIndex = i;
      const num = NUMBER_RE.exec(s);
      if (num && num[0] !== '.' && num[0].length > 0) {
        push('number', i, i + num[0].length);
        i += num[0].length;
        continue;
      }
    }
    const op = OPS.find((o) => s.startsWith(o, i)) ?? (SINGLE_OPS.includes(c) ? c : undefined);
    if (op) {
      if (OPENERS.includes(op)) depth++;
      else if (CLOSERS.includes(op)) depth = Math.max(0, depth - 1);
      push('op', i, i + op.length);
      i += op.length;
      continue;
    }
    push('error', i, i + 1);
    i++;
  }
  if (pendingLine) {
    depth = 0;
    newline(s.length, 0);
  }
  return out;

  function string(start: number, quoteAt: number, prefix: string): number {
    const q = s[quoteAt];
    const triple = s.startsWith(q + q + q, quoteAt);
    const contentStart = quoteAt + (triple ? 3 : 1);
    const r = scanStringBody(s, contentStart, q, triple, /[ft]/.test(prefix));
    push('string', start, r.end, { prefix, contentStart, contentEnd: r.contentEnd, terminated: r.terminated });
    return r.end;
  }
}

// ---------------------------------------------------------------------------------------- statements

const isOp = (t: Token | undefined, op: string) => t?.kind === 'op' && t.text === op;
const isName = (t: Token | undefined, name?: string) => t?.kind === 'name' && (name === undefined || t.text === name);

/** A plain string literal (not an f- or t-string) whose value is its text: a module key. */
function literalKey(t: Token | undefined): string | undefined {
  if (!t || t.kind !== 'string' || !t.terminated || /[ftb]/.test(t.prefix ?? '')) return undefined;
  const v = t.text.slice(t.contentStart! - t.start, t.contentEnd! - t.start);
  return v.includes('\\') || v.length === 0 ? undefined : v;
}

/** An integer literal's value (`3`, not `3.0`), or a plain string key. */
function subscriptKey(t: Token | undefined): string | undefined {
  if (t?.kind === 'number') return /^\d+$/.test(t.text) ? String(Number(t.text)) : undefined;
  return literalKey(t);
}

interface Stmt {
  tokens: Token[];
  /** The indentation of its logical line; + 0.5 for a body on its header's line (`if x: self.a = 1`). */
  indent: number;
}

const HEADERS = new Set(['if', 'elif', 'else', 'for', 'while', 'with', 'def', 'class', 'try', 'except', 'finally', 'async']);

/** Logical lines, comments left out. */
function logicalLines(tokens: Token[]): Token[][] {
  const lines: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    if (t.kind === 'newline') {
      if (cur.length > 0) lines.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length > 0) lines.push(cur);
  return lines;
}

/** Indices of the tokens of `ts` at bracket depth 0 that satisfy `f`. */
function topLevel(ts: Token[], f: (t: Token) => boolean): number[] {
  const found: number[] = [];
  let depth = 0;
  ts.forEach((t, i) => {
    if (t.kind === 'op' && OPENERS.includes(t.text)) depth++;
    else if (t.kind === 'op' && CLOSERS.includes(t.text)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && f(t)) found.push(i);
  });
  return found;
}

function splitAt(ts: Token[], at: number[]): Token[][] {
  const parts: Token[][] = [];
  let from = 0;
  for (const i of at) {
    parts.push(ts.slice(from, i));
    from = i + 1;
  }
  parts.push(ts.slice(from));
  return parts;
}

/** Simple statements: logical lines split at `;` and after a compound statement's header colon. */
function statements(tokens: Token[]): Stmt[] {
  const out: Stmt[] = [];
  for (const line of logicalLines(tokens)) {
    const indent = line[0].col;
    let rest = line;
    let restIndent = indent;
    if (isName(line[0]) && HEADERS.has(line[0].text)) {
      const colon = topLevel(line, (t) => isOp(t, ':'))[0];
      if (colon !== undefined) {
        out.push({ tokens: line.slice(0, colon), indent });
        rest = line.slice(colon + 1);
        restIndent = indent + 0.5;
      }
    }
    for (const part of splitAt(
      rest,
      topLevel(rest, (t) => isOp(t, ';')),
    ))
      if (part.length > 0) out.push({ tokens: part, indent: restIndent });
  }
  return out;
}

/** The index of the bracket closing the one at `open`, or the end of `ts`. */
function closing(ts: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < ts.length; i++) {
    const t = ts[i];
    if (t.kind !== 'op') continue;
    if (OPENERS.includes(t.text)) depth++;
    else if (CLOSERS.includes(t.text) && --depth === 0) return i;
  }
  return ts.length;
}

/** A dotted name at the start of `ts` (`nn.Sequential`): its parts and the number of tokens it takes. */
function dottedName(ts: Token[], from = 0): { parts: string[]; length: number } | undefined {
  if (!isName(ts[from])) return undefined;
  const parts = [ts[from].text];
  let i = from + 1;
  while (isOp(ts[i], '.') && isName(ts[i + 1])) {
    parts.push(ts[i + 1].text);
    i += 2;
  }
  return { parts, length: i - from };
}

interface Arg {
  tokens: Token[];
  keyword?: Token;
  starred: boolean;
}

/** The arguments between brackets `ts[open]` and `ts[close]`. */
function argsOf(ts: Token[], open: number, close: number): Arg[] {
  const inner = ts.slice(open + 1, close);
  return splitAt(
    inner,
    topLevel(inner, (t) => isOp(t, ',')),
  )
    .filter((a) => a.length > 0)
    .map((a) => {
      if (isName(a[0]) && isOp(a[1], '=')) return { tokens: a.slice(2), keyword: a[0], starred: false };
      return { tokens: a, starred: isOp(a[0], '*') || isOp(a[0], '**') };
    });
}

// ------------------------------------------------------------------------------------------- classes

export interface ModuleDefinition {
  /** The module path it defines, as the ONNX graph names it (`layer4`, `layer4.conv`, `features.3`). */
  name: string;
  /** 0-based line and the column range of the name (or key, or child) on that line. */
  line: number;
  start: number;
  end: number;
}

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

/** Where a token names something, on one line. */
function defAt(name: string, first: Token, last: Token = first): ModuleDefinition {
  const sameLine = last.line === first.line;
  const t = first;
  if (t.kind === 'string' && t.contentStart !== undefined) {
    // a key: the text between the quotes
    const open = t.contentStart - t.start;
    const close = t.line === t.endLine ? t.contentEnd! - t.start : open;
    return { name, line: t.line, start: t.col + open, end: t.col + Math.max(open, close) };
  }
  return { name, line: first.line, start: first.col, end: sameLine ? last.endCol : first.endCol };
}

/**
 * The module paths a class defines, in source order: its attributes (`self.x = …`, `self.x: T = …`,
 * `self.a, self.b = …`, `self.x.y = …`, `self.x[3] = …`, `self.add_module("x", …)`, `self.x.add_module(…)`,
 * `self.register_module(…)`, `setattr(self, "x", …)`) and what their values are made of (containers' children,
 * instances of other classes of the file). Undefined when the file has no such class.
 */
export function classModules(file: PyFile, className: string): ModuleDefinition[] | undefined {
  const cls = findClass(file, className);
  if (!cls) return undefined;
  return modulesOf(file, cls, new Set());
}

function modulesOf(file: PyFile, cls: PyClass, visiting: Set<PyClass>): ModuleDefinition[] {
  if (visiting.has(cls) || visiting.size > 8) return [];
  visiting.add(cls);
  const defs: ModuleDefinition[] = [];
  const emit = (path: string[], at: ModuleDefinition, value: Token[] | undefined) => {
    const name = path.join('.');
    defs.push({ ...at, name });
    if (value) defs.push(...children(file, value, name, visiting));
  };
  for (const { tokens: ts, self } of cls.body) {
    const eqs = topLevel(ts, (t) => isOp(t, '='));
    if (eqs.length > 0) {
      const parts = splitAt(ts, eqs);
      const value = parts.pop()!;
      const values = splitAt(
        value,
        topLevel(value, (t) => isOp(t, ',')),
      );
      for (const [k, whole] of parts.entries()) {
        let target = whole;
        if (k === 0) {
          const colon = topLevel(target, (t) => isOp(t, ':'))[0];
          if (colon !== undefined) target = target.slice(0, colon); // self.x: nn.Module = …
        }
        if ((isOp(target[0], '(') || isOp(target[0], '[')) && closing(target, 0) === target.length - 1) target = target.slice(1, -1);
        const items = splitAt(
          target,
          topLevel(target, (t) => isOp(t, ',')),
        ).filter((x) => x.length > 0);
        items.forEach((item, j) => {
          const p = selfPath(item, self);
          if (!p) return;
          const v = items.length === 1 ? (values.length === 1 ? value : undefined) : values.length === items.length ? values[j] : undefined;
          emit(p.path, defAt('', p.last), v);
        });
      }
      continue;
    }
    // self[.x].add_module("name", value) / register_module
    const call = ts.findIndex((t) => isOp(t, '('));
    if (call >= 1 && isOp(ts[ts.length - 1], ')') && closing(ts, call) === ts.length - 1) {
      const method = ts[call - 1];
      const args = argsOf(ts, call, ts.length - 1);
      if (isName(method) && (method.text === 'add_module' || method.text === 'register_module') && isOp(ts[call - 2], '.')) {
        const owner = isName(ts[0], self) && call - 2 === 1 ? { path: [] as string[] } : selfPath(ts.slice(0, call - 2), self);
        const key = args[0]?.tokens.length === 1 ? literalKey(args[0].tokens[0]) : undefined;
        if (owner && key && args.length === 2) emit([...owner.path, key], defAt('', args[0].tokens[0]), args[1].tokens);
      } else if (call === 1 && isName(ts[0], 'setattr') && args.length === 3) {
        const owner = args[0].tokens.length === 1 && isName(args[0].tokens[0], self) ? { path: [] as string[] } : selfPath(args[0].tokens, self);
        const key = args[1].tokens.length === 1 ? literalKey(args[1].tokens[0]) : undefined;
        if (owner && key) emit([...owner.path, key], defAt('', args[1].tokens[0]), args[2].tokens);
      }
    }
  }
  visiting.delete(cls);
  return defs;
}

/** `self.a.b[3]["k"]` → ["a", "b", "3", "k"] and its last part's token; undefined for anything else. */
function selfPath(ts: Token[], self: string): { path: string[]; last: Token } | undefined {
  if (!isName(ts[0], self) || ts.length < 3) return undefined;
  const path: string[] = [];
  let last: Token | undefined;
  let i = 1;
  while (i < ts.length) {
    if (isOp(ts[i], '.') && isName(ts[i + 1])) {
      path.push(ts[i + 1].text);
      last = ts[i + 1];
      i += 2;
    } else if (isOp(ts[i], '[') && isOp(ts[i + 2], ']') && subscriptKey(ts[i + 1]) !== undefined && path.length > 0) {
      path.push(subscriptKey(ts[i + 1])!);
      last = ts[i + 1];
      i += 3;
    } else return undefined;
  }
  return last && { path, last };
}

/** A call at the start of `ts`: its callee's parts, and where its argument brackets are. */
function callAt(ts: Token[]): { callee: string[]; open: number; close: number } | undefined {
  const d = dottedName(ts);
  if (!d || !isOp(ts[d.length], '(')) return undefined;
  return { callee: d.parts, open: d.length, close: closing(ts, d.length) };
}

/** Where an element of a container is (its callee `nn.Conv2d`, or its first token). */
function elementAt(name: string, ts: Token[]): ModuleDefinition {
  const d = dottedName(ts);
  return d ? defAt(name, ts[0], ts[d.length - 1]) : defAt(name, ts[0]);
}

/** The modules inside a value assigned to a module path `prefix`. */
function children(file: PyFile, value: Token[], prefix: string, visiting: Set<PyClass>): ModuleDefinition[] {
  const call = callAt(value);
  if (!call) return [];
  const kind = call.callee[call.callee.length - 1];
  const args = argsOf(value, call.open, call.close);
  const positional = args.filter((a) => !a.keyword);
  const out: ModuleDefinition[] = [];
  const child = (key: string, at: ModuleDefinition, tokens: Token[]) => {
    const name = `${prefix}.${key}`;
    out.push({ ...at, name });
    out.push(...children(file, tokens, name, visiting));
  };
  const indexed = (items: Arg[]) => {
    for (const [i, a] of items.entries()) {
      if (a.starred || a.keyword) break; // `*blocks`: the indices after it are unknown
      child(String(i), elementAt('', a.tokens), a.tokens);
    }
  };
  /** `{"k": v}`, `[("k", v), …]`, `OrderedDict(…)`, `dict(k=v)`. */
  const keyed = (ts: Token[]) => {
    const inner = callAt(ts);
    if (inner && ['OrderedDict', 'dict'].includes(inner.callee[inner.callee.length - 1])) {
      const a = argsOf(ts, inner.open, inner.close);
      for (const kw of a.filter((x) => x.keyword)) child(kw.keyword!.text, defAt('', kw.keyword!), kw.tokens);
      const pos = a.filter((x) => !x.keyword);
      if (pos.length === 1) keyed(pos[0].tokens);
      return;
    }
    if (!(isOp(ts[0], '{') || isOp(ts[0], '[') || isOp(ts[0], '(')) || closing(ts, 0) !== ts.length - 1) return;
    for (const item of argsOf(ts, 0, ts.length - 1)) {
      let t = item.tokens;
      if (isOp(ts[0], '{')) {
        const key = literalKey(t[0]);
        if (key && isOp(t[1], ':')) child(key, defAt('', t[0]), t.slice(2));
        continue;
      }
      if ((isOp(t[0], '(') || isOp(t[0], '[')) && closing(t, 0) === t.length - 1) {
        const pair = argsOf(t, 0, t.length - 1);
        t = pair[0]?.tokens ?? [];
        const key = t.length === 1 ? literalKey(t[0]) : undefined;
        if (key && pair.length === 2) child(key, defAt('', t[0]), pair[1].tokens);
      }
    }
  };
  if (kind === 'Sequential') {
    const only = positional.length === 1 ? callAt(positional[0].tokens) : undefined;
    if (only && only.callee[only.callee.length - 1] === 'OrderedDict') keyed(positional[0].tokens);
    else indexed(args);
  } else if (kind === 'ModuleList') {
    const a = positional[0]?.tokens;
    if (a && (isOp(a[0], '[') || isOp(a[0], '(')) && closing(a, 0) === a.length - 1) indexed(argsOf(a, 0, a.length - 1));
  } else if (kind === 'ModuleDict') {
    if (positional[0]) keyed(positional[0].tokens);
  } else {
    const cls = call.callee.length === 1 ? findClass(file, kind) : undefined;
    if (cls) for (const d of modulesOf(file, cls, visiting)) out.push({ ...d, name: `${prefix}.${d.name}` });
  }
  return out;
}

// ------------------------------------------------------------------------------------ matching layers

/** A layer of the model: its name and the other module paths of the same tensor. */
export interface LayerName {
  name: string;
  aliases?: readonly string[];
}

/**
 * The definition of a layer among a class's: of its path or an alias (`exact`), else of its nearest
 * ancestor (`layer1.1` in a `self.layer1 = self._make_layer(…)`), first in source order.
 */
export function findDefinition(defs: readonly ModuleDefinition[], layer: LayerName): { def: ModuleDefinition; exact: boolean } | undefined {
  const names = [layer.name, ...(layer.aliases ?? [])];
  for (const n of names) {
    const d = defs.find((x) => x.name === n);
    if (d) return { def: d, exact: true };
  }
  const parts = layer.name.split('.');
  for (let k = parts.length - 1; k > 0; k--) {
    const d = defs.find((x) => x.name === parts.slice(0, k).join('.'));
    if (d) return { def: d, exact: false };
  }
  return undefined;
}

/** Whether a referenced module path names the layer (or an alias); `module.` (DataParallel) and `_orig_mod.` (torch.compile) are looked through. */
export function refersTo(path: string, layer: LayerName): boolean {
  const names = [layer.name, ...(layer.aliases ?? [])];
  let p = path;
  for (;;) {
    if (names.includes(p)) return true;
    const m = /^(?:module|_orig_mod)\.(.+)$/.exec(p);
    if (!m) return false;
    p = m[1];
  }
}

// -------------------------------------------------------------------------------------- references

export interface Reference {
  /** The module path of the reference: `self.layer4.conv` at `conv` → `layer4.conv`. */
  path: string;
  start: number;
  end: number;
  line: number;
  col: number;
  endCol: number;
}

/**
 * The attribute references of a file: in `root.a.b[3]["k"]` (root any name, a call `G().a` included), each
 * part after the root is a reference to the path up to it. A call or a computed index ends the path
 * (`self.a(x).b` has no `a.b`); import statements, strings and comments hold none (a string is a
 * reference only as a literal key after a path: `self.blocks["b4"]`).
 */
export function attributeReferences(file: PyFile): Reference[] {
  const refs: Reference[] = [];
  const add = (path: string[], t: Token) => {
    if (t.kind === 'string') {
      const d = defAt('', t);
      refs.push({ path: path.join('.'), start: t.contentStart!, end: t.contentEnd!, line: d.line, col: d.start, endCol: d.end });
    } else refs.push({ path: path.join('.'), start: t.start, end: t.end, line: t.line, col: t.col, endCol: t.endCol });
  };
  const scan = (ts: Token[], from: number, to: number) => {
    let i = from;
    while (i < to) {
      const t = ts[i];
      if (isOp(t, '.')) {
        i += isName(ts[i + 1]) ? 2 : 1; // an attribute of something that is not a name (a string, a bracket): not a path
        continue;
      }
      if (t.kind === 'op' && OPENERS.includes(t.text)) {
        const close = Math.min(closing(ts, i), to);
        scan(ts, i + 1, close);
        i = close + 1;
        continue;
      }
      if (!isName(t)) {
        i++;
        continue;
      }
      // a primary: root name, then trailers
      const path: string[] = [];
      let live = true;
      let j = i + 1;
      while (j < to) {
        if (isOp(ts[j], '.') && isName(ts[j + 1])) {
          path.push(ts[j + 1].text);
          if (live) add(path, ts[j + 1]);
          j += 2;
        } else if (isOp(ts[j], '[') || isOp(ts[j], '(')) {
          const close = Math.min(closing(ts, j), to);
          const key = isOp(ts[j], '[') && close === j + 2 ? subscriptKey(ts[j + 1]) : undefined;
          if (key !== undefined && path.length > 0 && live) {
            path.push(key);
            add(path, ts[j + 1]);
          } else {
            if (path.length > 0) live = false;
            scan(ts, j + 1, close);
          }
          j = close + 1;
        } else break;
      }
      i = j;
    }
  };
  for (const line of logicalLines(file.tokens)) {
    if (isName(line[0], 'import') || isName(line[0], 'from')) continue;
    scan(line, 0, line.length);
  }
  return refs.sort((a, b) => a.start - b.start);
}

/** The reference at an offset (inside it or at its end), if any. */
export function referenceAt(refs: readonly Reference[], offset: number): Reference | undefined {
  return refs.find((r) => offset >= r.start && offset <= r.end);
}

// ----------------------------------------------------------------------------------------- imports

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

// -------------------------------------------------------------------------------------- candidates

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
