/**
 * <gd-mask-painter>: a canvas over an image (both scaled up, pixelated) where the user paints the region to
 * intervene on. The mask lives at image resolution in `mask` (bytes 0…255, row-major), owned by the app: the
 * painter writes into it and fires `paint` events ({phase: 'start' | 'move' | 'end'}) as a stroke goes.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { cssProps } from '../shared/css-props';
import { baseStyles } from '../shared/theme';

/** `start`: the first dab of a stroke is painted; `move`: more of it; `end`: the stroke is over. */
export interface PaintDetail {
  phase: 'start' | 'move' | 'end';
}

/** Tint of painted pixels (RGB) and its opacity at 255. */
const TINT: [number, number, number] = [255, 196, 0];
const ALPHA = 0.55;

export class MaskPainter extends LitElement {
  static override properties = {
    image: { type: String },
    width: { type: Number },
    height: { type: Number },
    scale: { type: Number },
    brush: { type: Number },
    erase: { type: Boolean },
    whole: { type: Boolean },
    mask: { attribute: false },
    revision: { type: Number },
  };

  declare image: string;
  /** Image resolution (the mask's size). */
  declare width: number;
  declare height: number;
  /** Display scale. */
  declare scale: number;
  /** Brush diameter in image pixels. */
  declare brush: number;
  declare erase: boolean;
  /** The intervention is everywhere: the painted mask is kept but drawn faded. */
  declare whole: boolean;
  declare mask: Uint8Array | undefined;
  /** Bumped by the app when it replaces the mask's content (undo), to redraw. */
  declare revision: number;

  private last: [number, number] | undefined;
  private pointer: number | undefined;

  constructor() {
    super();
    this.image = '';
    this.width = 0;
    this.height = 0;
    this.scale = 1;
    this.brush = 4;
    this.erase = false;
    this.whole = false;
    this.mask = undefined;
    this.revision = 0;
  }

  static override styles = [
    baseStyles,
    css`
      .stage {
        position: relative;
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        background: var(--vscode-editorWidget-background, #252526);
        box-sizing: content-box;
      }
      img,
      canvas {
        position: absolute;
        left: 0;
        top: 0;
        width: 100%;
        height: 100%;
        image-rendering: pixelated;
      }
      canvas {
        cursor: crosshair;
        touch-action: none;
      }
      .whole canvas {
        opacity: 0.35;
      }
    `,
  ];

  override render() {
    const w = this.width * this.scale;
    const h = this.height * this.scale;
    return html`<div class="stage ${this.whole ? 'whole' : ''}" ${cssProps({ width: `${w}px`, height: `${h}px` })}>
      ${this.image ? html`<img src=${this.image} alt="" draggable="false" />` : null}
      <canvas width=${this.width} height=${this.height} aria-label="Region to intervene on: paint with the mouse" role="img"
        @pointerdown=${this.onDown} @pointermove=${this.onMove} @pointerup=${this.onUp} @pointercancel=${this.onUp}
        @lostpointercapture=${this.onUp}></canvas>
    </div>`;
  }

  override updated(changed: PropertyValues): void {
    if (changed.has('mask') || changed.has('revision') || changed.has('width') || changed.has('height')) this.draw();
  }

  /** Redraws the overlay from the mask. */
  draw(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const ctx = canvas?.getContext('2d');
    if (!ctx || !this.mask || this.width === 0 || this.height === 0) return;
    const img = ctx.createImageData(this.width, this.height);
    const m = this.mask;
    for (let i = 0; i < m.length && i < this.width * this.height; i++) {
      if (m[i] === 0) continue;
      const o = i * 4;
      img.data[o] = TINT[0];
      img.data[o + 1] = TINT[1];
      img.data[o + 2] = TINT[2];
      img.data[o + 3] = Math.round(m[i] * ALPHA);
    }
    ctx.putImageData(img, 0, 0);
  }

  private toImage(e: PointerEvent): [number, number] {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.width, ((e.clientY - r.top) / r.height) * this.height];
  }

  private onDown = (e: PointerEvent): void => {
    if (e.button !== 0 || !this.mask) return;
    e.preventDefault();
    this.pointer = e.pointerId;
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    const p = this.toImage(e);
    this.stamp(p[0], p[1]);
    this.last = p;
    this.draw();
    this.emit('start');
  };

  private onMove = (e: PointerEvent): void => {
    if (this.pointer !== e.pointerId || !this.last) return;
    const p = this.toImage(e);
    const [x0, y0] = this.last;
    const d = Math.hypot(p[0] - x0, p[1] - y0);
    const step = Math.max(0.5, this.brush / 4);
    for (let t = step; t < d; t += step) this.stamp(x0 + ((p[0] - x0) * t) / d, y0 + ((p[1] - y0) * t) / d);
    this.stamp(p[0], p[1]);
    this.last = p;
    this.draw();
    this.emit('move');
  };

  private onUp = (e: PointerEvent): void => {
    if (this.pointer !== e.pointerId) return;
    this.pointer = undefined;
    this.last = undefined;
    this.emit('end');
  };

  /** Paints (or erases) a disc of the brush's diameter centred on image point (x, y). */
  private stamp(x: number, y: number): void {
    const m = this.mask;
    if (!m) return;
    const r = Math.max(0.5, this.brush / 2);
    const value = this.erase ? 0 : 255;
    const x0 = Math.max(0, Math.floor(x - r));
    const x1 = Math.min(this.width - 1, Math.ceil(x + r));
    const y0 = Math.max(0, Math.floor(y - r));
    const y1 = Math.min(this.height - 1, Math.ceil(y + r));
    for (let py = y0; py <= y1; py++)
      for (let px = x0; px <= x1; px++) if (Math.hypot(px + 0.5 - x, py + 0.5 - y) <= r) m[py * this.width + px] = value;
    // the pixel under the pointer, whatever the brush
    const cx = Math.floor(x);
    const cy = Math.floor(y);
    if (cx >= 0 && cy >= 0 && cx < this.width && cy < this.height) m[cy * this.width + cx] = value;
  }

  private emit(phase: PaintDetail['phase']): void {
    this.dispatchEvent(new CustomEvent<PaintDetail>('paint', { detail: { phase } }));
  }
}

customElements.define('gd-mask-painter', MaskPainter);

declare global {
  interface HTMLElementTagNameMap {
    'gd-mask-painter': MaskPainter;
  }
}
