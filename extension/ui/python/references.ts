/**
 * Attribute references in a Python file (`self.layer4`, `g.layer4.conv`, `self.features[3]`,
 * `self.blocks["b4"]`): where a hover may name a layer; and whether a referenced path names one.
 * Pure text functions (no `vscode` import), tested in plain Node (test/unit/source-*.test.ts).
 */
import { OPENERS, type Token } from './tokens';
import { closing, isName, isOp, logicalLines, subscriptKey } from './syntax';
import { type PyFile } from './classes';
import { defAt, type LayerName } from './modules';

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
