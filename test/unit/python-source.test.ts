import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { moduleDefinitions, bestDefinition, identifierAt, topModule } from '../../extension/ui/python-source';

const TRAIN = `import torch.nn as nn

class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Linear(128, 4096), nn.ReLU())
        self.layer2: nn.Module = block(256, 128)
        self.layer3 = block(128, 64)
        self.scale == 2

    def forward(self, z):
        x = self.layer1(z)
        return self.layer3(self.layer2(x))

layer9 = nn.Conv2d(3, 3, 1)
`;

test('module definitions: self.X = …, annotated, and local nn.X assignments; not comparisons or uses', () => {
  const defs = moduleDefinitions(TRAIN);
  assert.deepEqual(
    defs.map((d) => [d.name, d.line]),
    [
      ['layer1', 5],
      ['layer2', 6],
      ['layer3', 7],
      ['layer9', 14],
    ],
  );
  const l1 = defs[0];
  assert.equal(TRAIN.split('\n')[5].slice(l1.start, l1.end), 'layer1');
});

test("the best definition is in the file that defines most of the model's modules", () => {
  const files = [
    { file: 'other.py', defs: moduleDefinitions('self.layer2 = x\n') },
    { file: 'train.py', defs: moduleDefinitions(TRAIN) },
  ];
  const best = bestDefinition(files, ['layer1', 'layer2', 'layer3'], 'layer2.conv');
  assert.equal(best?.file, 'train.py');
  assert.equal(best?.def.line, 6);
  assert.equal(bestDefinition(files, ['layer1'], 'layer7'), undefined);
  assert.equal(topModule('layer4.conv'), 'layer4');
});

test('identifier under the cursor', () => {
  const line = '        x = self.layer1(z)';
  assert.equal(identifierAt(line, line.indexOf('layer1') + 2)?.name, 'layer1');
  assert.equal(identifierAt(line, line.indexOf('self'))?.name, 'self');
  assert.equal(identifierAt(line, 0), undefined);
});
