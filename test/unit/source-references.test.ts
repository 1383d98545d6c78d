/**
 * Where a hover may fire (extension/ui/python/, issue 18 item 1): attribute references to module
 * paths, never inside strings (any prefix, triple-quoted, f-strings with nested quotes) or comments.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzePython } from '../../extension/ui/python/classes';
import { attributeReferences, referenceAt, refersTo } from '../../extension/ui/python/references';
import { tokenize } from '../../extension/ui/python/tokens';

/** The path of the reference at the n-th occurrence of `needle` (at its middle), or undefined. */
function refAt(src: string, needle: string, nth = 0): string | undefined {
  let at = -1;
  for (let k = 0; k <= nth; k++) at = src.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in the source`);
  return referenceAt(attributeReferences(analyzePython(src)), at + Math.floor(needle.length / 2))?.path;
}

test('attribute references: self.X, G.X.Y, indexing by number and key, through DataParallel and torch.compile', () => {
  const src = `x = self.layer4(x)
y = G.layer4.conv.weight
z = self.features[3]
w = self.blocks["b4"]
v = G.module.layer4
u = compiled._orig_mod.module.layer4
`;
  assert.equal(refAt(src, 'layer4'), 'layer4');
  assert.equal(refAt(src, 'conv'), 'layer4.conv');
  assert.equal(refAt(src, 'weight'), 'layer4.conv.weight');
  assert.equal(refAt(src, '3'), 'features.3');
  assert.equal(refAt(src, 'b4'), 'blocks.b4');
  assert.equal(refAt(src, 'layer4', 2), 'module.layer4');
  assert.ok(refersTo('module.layer4', { name: 'layer4' }));
  assert.ok(refersTo(refAt(src, 'layer4', 3)!, { name: 'layer4' }));
  assert.ok(refersTo('layer1', { name: 'layer1.1', aliases: ['layer1'] }));
  assert.ok(!refersTo('layer4.conv', { name: 'layer4' }));
  assert.ok(!refersTo('mymodule.layer4', { name: 'layer4' }));
  // the root name itself is not a module path
  assert.equal(refAt(src, 'self'), undefined);
});

test('a call or a computed index ends the path', () => {
  const src = `a = self.block(x).conv
b = self.blocks[i].conv
c = self.blocks[0].conv
`;
  assert.equal(refAt(src, 'conv'), undefined);
  assert.equal(refAt(src, 'conv', 1), undefined);
  assert.equal(refAt(src, 'conv', 2), 'blocks.0.conv');
  // and the arguments are scanned: a reference inside a call
  assert.equal(refAt('f(self.layer2)\n', 'layer2'), 'layer2');
});

test('never in strings or comments', () => {
  const src = `print("self.layer4")  # uses self.layer4
s = 'G.layer4'
d = """
    self.layer4 in a docstring
"""
r = rb'self.layer4'
f = f"{x!r} self.layer4 {y:>{width}}"
g = f"{'{'} self.layer4 {d["k"]}"
h = self.layer4
`;
  const refs = attributeReferences(analyzePython(src));
  const layer4 = refs.filter((r) => r.path === 'layer4');
  assert.equal(layer4.length, 1, JSON.stringify(layer4));
  assert.equal(layer4[0].line, 8);
  assert.equal(src.split('\n')[8].slice(layer4[0].col, layer4[0].endCol), 'layer4');
});

test('import lines hold no references; continuation lines and brackets across lines do', () => {
  const src = `import models.layer4
from torch.nn import functional
x = self.layer1 \\
    .conv
y = (self
     .layer2)
`;
  const paths = attributeReferences(analyzePython(src)).map((r) => r.path);
  assert.deepEqual(paths, ['layer1', 'layer1.conv', 'layer2']);
});

test('the tokenizer: strings of every form end where Python ends them, and it never throws', () => {
  const src = `a = "x\\"y" + r"\\"" + '''it's''' + b"\\x00" + f"{a['k']:{w}}" + t"{x}"  # c
`;
  const kinds = tokenize(src)
    .filter((t) => t.kind !== 'newline')
    .map((t) => t.kind);
  assert.deepEqual(kinds, ['name', 'op', 'string', 'op', 'string', 'op', 'string', 'op', 'string', 'op', 'string', 'op', 'string', 'comment']);
  // unterminated strings and stray characters are tokens too
  for (const bad of ['s = "open\nx = 1\n', "'''never closed", 'x = $ ? `\n', 'f"{', '(((', ')))']) {
    assert.doesNotThrow(() => attributeReferences(analyzePython(bad)), bad);
  }
  // after an unterminated single-quoted string, the next line is code again
  assert.deepEqual(
    attributeReferences(analyzePython('s = "open\nx = self.layer3\n')).map((r) => r.path),
    ['layer3'],
  );
});
