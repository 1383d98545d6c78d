/**
 * The extension's manifest (package.json contributes): the walkthrough's steps complete on commands the
 * extension contributes, link to them, and show media that exist and are packaged; keybindings and menus
 * name contributed commands.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    keybindings: { command: string }[];
    menus: Record<string, { command?: string }[]>;
    walkthroughs: { id: string; steps: { id: string; description: string; media: { markdown?: string }; completionEvents: string[] }[] }[];
  };
};
const commands = new Set(pkg.contributes.commands.map((c) => c.command));

test('the walkthrough takes a new user from the demo to their own model, on real commands', () => {
  const [w] = pkg.contributes.walkthroughs;
  assert.deepEqual(
    w.steps.map((s) => s.id),
    ['demo', 'dissect', 'hover', 'intervene', 'own'],
  );
  const packaged = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
  for (const s of w.steps) {
    for (const e of s.completionEvents) {
      const m = /^onCommand:(.+)$/.exec(e);
      assert.ok(m && commands.has(m[1]), `${s.id}: ${e} is not a contributed command`);
    }
    for (const [, c] of s.description.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(commands.has(c), `${s.id} links to ${c}`);
    assert.ok(s.media.markdown && fs.existsSync(path.join(root, s.media.markdown)), `${s.id}: ${s.media.markdown}`);
  }
  assert.match(packaged, /^!media\/walkthrough\/\*\.md$/m);
});

test('keybindings and menus name contributed commands', () => {
  for (const k of pkg.contributes.keybindings) assert.ok(commands.has(k.command), k.command);
  for (const [where, items] of Object.entries(pkg.contributes.menus))
    for (const i of items) if (i.command) assert.ok(commands.has(i.command), `${where}: ${i.command}`);
});
