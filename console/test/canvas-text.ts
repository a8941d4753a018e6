// What ECharts drew on a canvas, read from the page: each text with its box, to check that
// labels never overlap. Recorded by wrapping the 2D context's fillText in the page itself.
import type { BrowserContext, Locator } from 'playwright-core';
import { eventually } from './browser-rig.js';

export interface TextBox {
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Records, per canvas, the text drawn since the canvas was last cleared whole, with its box
 * in CSS pixels (from the context's transform and the text's measured extent): what ECharts
 * last drew, as the user sees it.
 */
export async function recordCanvasText(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const drawn = new WeakMap<HTMLCanvasElement, TextBox[]>();
    (window as unknown as { tfCanvasText(c: HTMLCanvasElement): TextBox[] }).tfCanvasText = (c) => drawn.get(c) ?? [];
    const proto = CanvasRenderingContext2D.prototype;
    const clearRect = proto.clearRect;
    proto.clearRect = function (x: number, y: number, w: number, h: number) {
      const m = this.getTransform();
      const c = this.canvas;
      if (x * m.a + m.e <= 0.5 && y * m.d + m.f <= 0.5 && (x + w) * m.a + m.e >= c.width - 0.5)
        if ((y + h) * m.d + m.f >= c.height - 0.5) drawn.set(c, []);
      clearRect.call(this, x, y, w, h);
    };
    const fillText = proto.fillText;
    proto.fillText = function (text: string, x: number, y: number, maxWidth?: number) {
      const c = this.canvas;
      if (this.globalAlpha > 0 && text.trim() !== '') {
        const size = this.measureText(text);
        const m = this.getTransform();
        const corners = [
          [x - size.actualBoundingBoxLeft, y - size.actualBoundingBoxAscent],
          [x + size.actualBoundingBoxRight, y - size.actualBoundingBoxAscent],
          [x - size.actualBoundingBoxLeft, y + size.actualBoundingBoxDescent],
          [x + size.actualBoundingBoxRight, y + size.actualBoundingBoxDescent],
        ].map(([px, py]) => [m.a * px! + m.c * py! + m.e, m.b * px! + m.d * py! + m.f]);
        const scale = c.width / (c.clientWidth || c.width);
        const xs = corners.map((p) => p[0]! / scale);
        const ys = corners.map((p) => p[1]! / scale);
        const list = drawn.get(c) ?? [];
        list.push({
          text,
          left: Math.min(...xs),
          right: Math.max(...xs),
          top: Math.min(...ys),
          bottom: Math.max(...ys),
        });
        drawn.set(c, list);
      }
      if (maxWidth === undefined) fillText.call(this, text, x, y);
      else fillText.call(this, text, x, y, maxWidth);
    };
  });
}

/** Pairs of texts of one chart whose boxes overlap by more than a pixel each way. */
export function overlaps(boxes: TextBox[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) out.push(`"${a.text}" and "${b.text}" (${w.toFixed(1)}×${h.toFixed(1)} px)`);
    }
  return out;
}

/** The text a chart drew last, once two readings half a second apart agree (animations done). */
export async function settledText(chart: Locator): Promise<TextBox[]> {
  const read = () =>
    chart
      .locator('canvas')
      .first()
      .evaluate((c) =>
        (window as unknown as { tfCanvasText(c: HTMLCanvasElement): TextBox[] }).tfCanvasText(c as HTMLCanvasElement),
      );
  let last = JSON.stringify(await read());
  return eventually('the chart to settle', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const now = await read();
    const same = JSON.stringify(now) === last && now.length > 0;
    last = JSON.stringify(now);
    return same ? now : undefined;
  });
}
