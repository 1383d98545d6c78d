/**
 * Python tokens: a tokenizer that knows Python's strings (single, double, triple-quoted, raw, bytes, f- and
 * t-strings with nested replacement fields, PEP 701 included), comments, brackets (implicit line joining) and
 * backslash continuations, so that nothing inside a string or a comment is ever taken for code.
 * Pure text functions (no `vscode` import), tested in plain Node (test/unit/source-*.test.ts).
 */

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
export const OPENERS = '([{';
export const CLOSERS = ')]}';

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
