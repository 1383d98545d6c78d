/**
 * `<div ${cssProps({width: '10px'})}>`: sets inline styles through CSSOM (element.style.setProperty) on every
 * render, first one included. Lit's styleMap writes a `style="…"` attribute on the first render, which a
 * strict CSP (no 'unsafe-inline' in style-src) blocks; CSSOM writes are always allowed.
 */
import { noChange } from 'lit';
import { Directive, PartType, directive, type ElementPart, type PartInfo } from 'lit/directive.js';

export type CssProps = Record<string, string>;

class CssPropsDirective extends Directive {
  private previous = new Set<string>();

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ELEMENT) throw new Error('cssProps() must be used in an element position: <div ${cssProps({…})}>');
  }

  render(_props: CssProps): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [props]: [CssProps]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const name of this.previous) if (!(name in props)) style.removeProperty(name);
    for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
    this.previous = new Set(Object.keys(props));
    return noChange;
  }
}

export const cssProps = directive(CssPropsDirective);
