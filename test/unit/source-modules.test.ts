/**
 * The modules a generator class defines (extension/ui/python/, issue 18 item 1): each pattern
 * people write, and what must not be taken for a definition. Positions are checked against the text.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzePython } from '../../extension/ui/python/classes';
import { classModules, findDefinition, type ModuleDefinition } from '../../extension/ui/python/modules';

const SRC = `import torch.nn as nn
from collections import OrderedDict

class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3)
        self.norm = nn.BatchNorm2d(c)

class Generator(nn.Module):
    """self.in_docstring = nn.Linear(1, 1)"""
    def __init__(self):
        super().__init__()
        # self.commented = nn.Linear(1, 1)
        self.layer1 = nn.Sequential(nn.Linear(128, 4096), nn.ReLU())
        self.layer2: nn.Module = Block(64)
        self.features = nn.Sequential(OrderedDict([("conv0", nn.Conv2d(3, 3, 1)), ("relu0", nn.ReLU())]))
        self.blocks = nn.ModuleDict({"b4": Block(8), "b8": Block(4)})
        self.stack = nn.ModuleList([Block(2), Block(2)])
        self.add_module("layer4", nn.Conv2d(1, 1, 1))
        setattr(self, "layer5", nn.ReLU())
        self.a, self.b = nn.ReLU(), nn.Tanh()
        self.scale == 2
        s = "self.in_string = x"
        other.layer6 = nn.ReLU()
        self.to_rgb = nn.Sequential(
            nn.Conv2d(8, 3, 1),
            nn.Tanh(),
        )
        self.layer1.extra = nn.Identity()

    def forward(self, z):
        self.cache = None
        return self.to_rgb(z)

class Discriminator(nn.Module):
    def __init__(me):
        super().__init__()
        me.layer4 = nn.Conv2d(3, 8, 3)
`;

const LINES = SRC.split('\n');
const text = (d: ModuleDefinition) => LINES[d.line].slice(d.start, d.end);
const defs = classModules(analyzePython(SRC), 'Generator')!;
const byName = new Map(defs.map((d) => [d.name, d]));

test('self.X = …, annotated, tuple targets, nested self.X.Y = …, in any method', () => {
  for (const n of ['layer1', 'layer2', 'features', 'blocks', 'stack', 'a', 'b', 'to_rgb', 'layer1.extra', 'cache']) {
    assert.ok(byName.has(n), `${n} missing: ${defs.map((d) => d.name).join(', ')}`);
  }
  assert.equal(text(byName.get('layer1')!), 'layer1');
  assert.equal(LINES[byName.get('layer2')!.line].trim(), 'self.layer2: nn.Module = Block(64)');
  assert.equal(text(byName.get('b')!), 'b');
  assert.equal(text(byName.get('layer1.extra')!), 'extra');
});

test('add_module("name", …) and setattr(self, "name", …): the definition is the key', () => {
  assert.equal(text(byName.get('layer4')!), 'layer4');
  assert.match(LINES[byName.get('layer4')!.line], /add_module/);
  assert.equal(text(byName.get('layer5')!), 'layer5');
  assert.match(LINES[byName.get('layer5')!.line], /setattr/);
});

test("containers' children: Sequential positions, OrderedDict and ModuleDict keys, ModuleList items", () => {
  assert.equal(text(byName.get('layer1.0')!), 'nn.Linear');
  assert.equal(text(byName.get('layer1.1')!), 'nn.ReLU');
  assert.equal(text(byName.get('features.conv0')!), 'conv0');
  assert.equal(text(byName.get('features.relu0')!), 'relu0');
  assert.equal(text(byName.get('blocks.b4')!), 'b4');
  assert.equal(text(byName.get('blocks.b8')!), 'b8');
  assert.ok(byName.has('stack.0') && byName.has('stack.1'));
  // a multi-line Sequential: each child on its own line
  assert.equal(LINES[byName.get('to_rgb.0')!.line].trim(), 'nn.Conv2d(8, 3, 1),');
  assert.equal(LINES[byName.get('to_rgb.1')!.line].trim(), 'nn.Tanh(),');
});

test('instances of another class of the file bring its modules: layer2.conv, blocks.b4.norm', () => {
  const conv = byName.get('layer2.conv')!;
  assert.equal(LINES[conv.line].trim(), 'self.conv = nn.Conv2d(c, c, 3)');
  assert.ok(byName.has('layer2.norm') && byName.has('blocks.b4.conv') && byName.has('blocks.b8.norm') && byName.has('stack.1.conv'));
});

test('not definitions: docstrings, comments, strings, comparisons, other objects, other classes', () => {
  for (const n of ['in_docstring', 'commented', 'in_string', 'scale', 'layer6', 'other', 's']) {
    assert.ok(!byName.has(n), `${n} taken for a definition`);
  }
  // Discriminator's layer4 (its self is called `me`) is its own, not the generator's
  const d = classModules(analyzePython(SRC), 'Discriminator')!;
  assert.deepEqual(
    d.map((x) => x.name),
    ['layer4'],
  );
  assert.ok(byName.get('layer4')!.line !== d[0].line);
  assert.equal(classModules(analyzePython(SRC), 'NoSuchClass'), undefined);
});

test('a layer is found by its path, an alias, or the module that holds it', () => {
  assert.deepEqual(findDefinition(defs, { name: 'layer2.conv' })?.exact, true);
  assert.equal(findDefinition(defs, { name: 'layer2.conv' })!.def, byName.get('layer2.conv'));
  // /layer1/layer1.1/Relu is also layer1's output: the alias is exact
  assert.equal(findDefinition(defs, { name: 'layer1.1', aliases: ['layer1'] })!.def, byName.get('layer1.1'));
  assert.equal(findDefinition(defs, { name: 'blocks.b4.conv.bias' })!.def, byName.get('blocks.b4.conv'));
  assert.equal(findDefinition(defs, { name: 'blocks.b4.conv.bias' })!.exact, false);
  assert.equal(findDefinition(defs, { name: 'mapping.fc0' }), undefined);
});

test('nested and decorated classes, methods on one line, a self not called self', () => {
  const src = `import torch.nn as nn
class Outer:
    class G(nn.Module):
        @staticmethod
        def helper():
            return 1
        def __init__(this): super().__init__(); this.layer1 = nn.ReLU()
        def build(this):
            if True: this.layer2 = nn.ReLU()
`;
  const d = classModules(analyzePython(src), 'Outer.G')!;
  assert.deepEqual(
    d.map((x) => x.name),
    ['layer1', 'layer2'],
  );
  assert.deepEqual(classModules(analyzePython(src), 'G'), d);
});
