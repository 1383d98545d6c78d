/** Label and layer names in the trusted hover are literal text (shared/markdown.ts). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { escapeMarkdown } from '../../extension/shared/markdown';

/** Undoes the escaping: what a Markdown renderer shows for escaped text. */
const shown = (md: string) => md.replace(/\\(.)/g, '$1');

test('links, images, HTML, emphasis, code and theme icons in a name are escaped', () => {
  for (const name of [
    '[click](command:workbench.action.quit)',
    '![x](http://evil/x.png)',
    '<img src=x onerror=alert(1)>',
    '**bold** _it_ `code`',
    '$(alert) icon',
    'a|b # c ~d~',
  ]) {
    const md = escapeMarkdown(name);
    assert.equal(shown(md), name, 'shows the name as it is');
    // every Markdown-significant character is escaped: none stands alone
    assert.doesNotMatch(md.replace(/\\./g, ''), /[\\`*_{}[\]()#+\-.!|<>$~&]/, md);
  }
});

test('plain names are unchanged but for escaped punctuation; control characters are dropped', () => {
  assert.equal(escapeMarkdown('grass'), 'grass');
  assert.equal(shown(escapeMarkdown('layer4.conv')), 'layer4.conv');
  assert.equal(escapeMarkdown('sky\u001b[31m'), 'sky\\[31m');
});
