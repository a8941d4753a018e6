import type { DashboardRenderDto } from '@telemetryflow/contract';
import { describe, expect, it } from 'vitest';
import { withPanelsOf } from './render-parts.js';

const panel = (index: number, title: string) =>
  ({ index, title, durationMs: 1, status: 'error', error: { code: 'x', message: title } }) as const;
const render = (dashboardId: string, fromMs: number, panels: DashboardRenderDto['panels']): DashboardRenderDto => ({
  dashboardId,
  version: 1,
  fromMs,
  toMs: fromMs + 1,
  variables: {},
  panels,
});

describe('a render arriving in parts', () => {
  it("puts a part's panels over the render on show, keeping the others until theirs arrive", () => {
    const shown = render('d', 1, [panel(0, 'old 0'), panel(1, 'old 1'), panel(2, 'old 2')]);
    const merged = withPanelsOf(shown, render('d', 5, [panel(1, 'new 1')]));
    expect(merged.fromMs).toBe(5);
    expect(merged.panels.map((p) => p.title)).toEqual(['old 0', 'new 1', 'old 2']);
    expect(
      withPanelsOf(merged, render('d', 5, [panel(2, 'new 2'), panel(0, 'new 0')])).panels.map((p) => p.title),
    ).toEqual(['new 0', 'new 1', 'new 2']);
  });

  it('starts afresh on another dashboard or with nothing on show', () => {
    const part = render('e', 1, [panel(3, 'e 3')]);
    expect(withPanelsOf(render('d', 1, [panel(0, 'd 0')]), part)).toBe(part);
    expect(withPanelsOf(null, part)).toBe(part);
  });
});
