/**
 * Python statements on tokens: logical lines, simple statements, brackets, dotted names, call arguments,
 * literal keys.
 * Pure text functions (no `vscode` import), tested in plain Node (test/unit/source-*.test.ts).
 */
import { CLOSERS, OPENERS, type Token } from './tokens';

export const isOp = (t: Token | undefined, op: string) => t?.kind === 'op' && t.text === op;
export const isName = (t: Token | undefined, name?: string) => t?.kind === 'name' && (name === undefined || t.text === name);

/** A plain string literal (not an f- or t-string) whose value is its text: a module key. */
export function literalKey(t: Token | undefined): string | undefined {
  if (!t || t.kind !== 'string' || !t.terminated || /[ftb]/.test(t.prefix ?? '')) return undefined;
  const v = t.text.slice(t.contentStart! - t.start, t.contentEnd! - t.start);
  return v.includes('\\') || v.length === 0 ? undefined : v;
}

/** An integer literal's value (`3`, not `3.0`), or a plain string key. */
export function subscriptKey(t: Token | undefined): string | undefined {
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
export function logicalLines(tokens: Token[]): Token[][] {
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
export function topLevel(ts: Token[], f: (t: Token) => boolean): number[] {
  const found: number[] = [];
  let depth = 0;
  ts.forEach((t, i) => {
    if (t.kind === 'op' && OPENERS.includes(t.text)) depth++;
    else if (t.kind === 'op' && CLOSERS.includes(t.text)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && f(t)) found.push(i);
  });
  return found;
}

export function splitAt(ts: Token[], at: number[]): Token[][] {
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
export function statements(tokens: Token[]): Stmt[] {
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
export function closing(ts: Token[], open: number): number {
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
export function dottedName(ts: Token[], from = 0): { parts: string[]; length: number } | undefined {
  if (!isName(ts[from])) return undefined;
  const parts = [ts[from].text];
  let i = from + 1;
  while (isOp(ts[i], '.') && isName(ts[i + 1])) {
    parts.push(ts[i + 1].text);
    i += 2;
  }
  return { parts, length: i - from };
}

export interface Arg {
  tokens: Token[];
  keyword?: Token;
  starred: boolean;
}

/** The arguments between brackets `ts[open]` and `ts[close]`. */
export function argsOf(ts: Token[], open: number, close: number): Arg[] {
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
