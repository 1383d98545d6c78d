/** A segmenter's labels file (engine/data/labels.ts): the forms people write, and the mistakes they make. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseLabelsText } from '../../extension/engine/data/labels';
import { safeName } from '../../extension/shared/run/safe-name';
import { DissectError } from '../../extension/shared/errors';

const F = '/m/labels.json';
const names = (text: string, warnings?: string[]) => parseLabelsText(text, F, warnings).map((l) => `${l.name}:${l.category}`);
const refused = (text: string, re: RegExp) =>
  assert.throws(
    () => parseLabelsText(text, F),
    (e: unknown) => e instanceof DissectError && e.code === 'bad-labels' && e.message.startsWith(`${F}: `) && re.test(e.message),
  );

test('an array, the {"labels": [...]} object and a UTF-8 BOM all give the same labels', () => {
  const want = ['-:-', 'sky:object', 'grass:object'];
  assert.deepEqual(names('["-", "sky", "grass"]'), want);
  assert.deepEqual(names('{"labels": ["-", "sky", "grass"]}'), want);
  assert.deepEqual(names('\uFEFF["-", "sky", "grass"]'), want);
  assert.deepEqual(names('[{"name": "-"}, {"name": "sky", "category": "object"}, "grass"]'), want);
});

test('duplicate names are refused, naming both entries', () => refused('["-", "sky", "tree", "sky"]', /entries 1 and 3 are both named "sky"/));

test('an empty name is refused ("-" marks a channel with no label)', () => refused('["-", "sky", " "]', /entry 2 has an empty name/));

test('terminal escape sequences in a name are refused, shown escaped', () =>
  refused('["-", "sky\\u001b[31m"]', /entry 1 \("sky\\u001b\[31m"\) holds control characters/));

test('entry 0 that looks like a real concept warns; the usual names for "no label" do not', () => {
  const warnings: string[] = [];
  names('["sky", "grass", "tree"]', warnings);
  assert.match(warnings.join('\n'), /entry 0 is "sky", but entry 0 is the unlabeled class/);
  for (const zero of ['-', '', 'unlabeled', 'Background', 'void']) {
    const quiet: string[] = [];
    names(JSON.stringify([zero, 'sky']), quiet);
    assert.deepEqual(quiet, [], zero);
  }
});

test('not JSON, too short, or a wrong entry: refused with the file named', () => {
  assert.throws(
    () => parseLabelsText('["-", sky]', F),
    (e: unknown) => e instanceof DissectError && e.message.startsWith(`${F} is not valid JSON`),
  );
  refused('["-"]', /at least one concept/);
  refused('{"classes": ["-", "sky"]}', /must be a JSON array/);
  refused('["-", 3]', /entry 1 must be a string/);
});

test('file names from layer names never leave their folder', () => {
  assert.equal(safeName('..'), 'layer');
  assert.equal(safeName('../../etc/x'), 'etc_x');
  assert.equal(safeName('.hidden'), 'hidden');
  assert.equal(safeName('synthesis/b16.conv0'), 'synthesis_b16.conv0');
  assert.equal(safeName('layer4'), 'layer4');
});
