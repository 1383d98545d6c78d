/**
 * Which files a model's hover goes to and which class is its source (extension/ui/python/, issue 18
 * item 1): files that import the generator's class; the candidate classes, best first, so an unrelated
 * ResNet with the same attribute names is not taken for the generator.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzePython } from '../../extension/ui/python/classes';
import { candidateClasses } from '../../extension/ui/python/candidates';
import { importsClass, moduleOf } from '../../extension/ui/python/imports';

const MODULE = moduleOf('pkg/models/gan.py');

test('moduleOf: the dotted module of a file path', () => {
  assert.deepEqual(MODULE, ['pkg', 'models', 'gan']);
  assert.deepEqual(moduleOf('pkg\\models\\__init__.py'), ['pkg', 'models']);
  assert.deepEqual(moduleOf('./train.py'), ['train']);
});

test('files that import the class: from-imports, star, aliases, module imports then M.Class, relative', () => {
  const yes = [
    'from pkg.models.gan import Generator',
    'from models.gan import Generator as G',
    'from gan import *',
    'from .gan import Generator',
    'import pkg.models.gan\nG = pkg.models.gan.Generator()',
    'import models.gan as m\nG = m.Generator()',
    'from pkg.models import gan\nG = gan.Generator()',
    'from pkg.models.gan import (\n    Discriminator,\n    Generator,\n)',
  ];
  for (const src of yes) assert.ok(importsClass(analyzePython(src), MODULE, 'Generator'), src);
  const no = [
    'from pkg.models.gan import Discriminator',
    'from other.gan_utils import Generator',
    'import pkg.models.gan\nD = pkg.models.gan.Discriminator()',
    '# from pkg.models.gan import Generator',
    's = "from pkg.models.gan import Generator"',
    'from torchvision.models import resnet50',
    'import models.gan as m\nG = other.m.Generator()',
  ];
  for (const src of no) assert.ok(!importsClass(analyzePython(src), MODULE, 'Generator'), src);
});

const GAN = `import torch.nn as nn
class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        self.layer2 = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        self.layer3 = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        self.layer4 = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
`;
const RESNET = `import torch.nn as nn
from torchvision.models import resnet50
class Features(nn.Module):
    def __init__(self):
        super().__init__()
        r = resnet50()
        self.layer4 = r.layer4
class NotAModule:
    def __init__(self):
        self.layer1 = 1
        self.layer2 = 2
        self.layer3 = 3
        self.layer4 = 4
`;

test("candidate classes: torch modules that define the model's modules, most first; plain classes never", () => {
  const files = [
    { file: 'resnet.py', py: analyzePython(RESNET) },
    { file: 'gan.py', py: analyzePython(GAN) },
  ];
  const layers = ['layer1', 'layer2', 'layer2.0', 'layer3', 'layer4'].map((name) => ({ name }));
  const c = candidateClasses(files, layers);
  assert.deepEqual(
    c.map((x) => [x.file, x.class, x.matched.length, x.of]),
    [
      ['gan.py', 'Generator', 4, 4],
      ['resnet.py', 'Features', 1, 4],
    ],
  );
  assert.equal(c[0].exact, 5);
  assert.deepEqual(candidateClasses(files, [{ name: 'mapping.fc0' }]), []);
});
