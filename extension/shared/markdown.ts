/**
 * Text from a model or a labels file (layer names, label names, file names) as literal Markdown: every
 * character Markdown or VS Code's theme icons ($(name)) would read as syntax is escaped, and control
 * characters are dropped. The hover is a trusted MarkdownString (its links run commands), so nothing a
 * labels file says may become a link, an image or HTML there.
 */
export function escapeMarkdown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').replace(/[\\`*_{}[\]()#+\-.!|<>$~&]/g, (c) => `\\${c}`);
}
