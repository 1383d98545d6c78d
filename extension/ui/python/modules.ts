/**
 * The module paths a torch module class defines, and where: its attributes (`self.layer4 = …`,
 * `self.layer4.conv = …`, `self.features[3] = …`, `self.add_module("layer4", …)`, `setattr(self, "x", …)`),
 * into their values (`nn.Sequential(a, b)` → children `0`, `1`; `OrderedDict`, `nn.ModuleList`, `nn.ModuleDict`
 * keys; instances of another class of the same file: `self.layer4 = Block()` → Block's `conv` is `layer4.conv`);
 * and the definition of a model's layer among them.
 * Pure text functions (no `vscode` import), tested in plain Node (test/unit/source-*.test.ts).
 */
import { type Token } from './tokens';
import { type Arg, argsOf, closing, dottedName, isName, isOp, literalKey, splitAt, subscriptKey, topLevel } from './syntax';
import { findClass, type PyClass, type PyFile } from './classes';

export interface ModuleDefinition {
  /** The module path it defines, as the ONNX graph names it (`layer4`, `layer4.conv`, `features.3`). */
  name: string;
  /** 0-based line and the column range of the name (or key, or child) on that line. */
  line: number;
  start: number;
  end: number;
}

/** Where a token names something, on one line. */
export function defAt(name: string, first: Token, last: Token = first): ModuleDefinition {
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

export function modulesOf(file: PyFile, cls: PyClass, visiting: Set<PyClass>): ModuleDefinition[] {
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
