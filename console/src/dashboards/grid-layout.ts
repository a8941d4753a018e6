import type { Panel, PanelLayout } from '@telemetryflow/contract';

/** The dashboard grid: 24 columns; a row is ROW_PX high. */
export const GRID_COLUMNS = 24;
export const ROW_PX = 36;
const MAX_H = 100;

/** A panel dragged by whole cells, kept inside the grid. */
export function moveBy(l: PanelLayout, dx: number, dy: number): PanelLayout {
  return { ...l, x: Math.min(Math.max(0, l.x + dx), GRID_COLUMNS - l.w), y: Math.max(0, l.y + dy) };
}

/** A panel resized by whole cells from its bottom-right corner, kept inside the grid. */
export function resizeBy(l: PanelLayout, dw: number, dh: number): PanelLayout {
  return { ...l, w: Math.min(Math.max(1, l.w + dw), GRID_COLUMNS - l.x), h: Math.min(Math.max(1, l.h + dh), MAX_H) };
}

/** Pixels of a pointer drag → whole grid cells. */
export function cellsOf(dxPx: number, dyPx: number, gridWidthPx: number): { dx: number; dy: number } {
  return { dx: Math.round(dxPx / (gridWidthPx / GRID_COLUMNS)), dy: Math.round(dyPx / ROW_PX) };
}

const overlaps = (a: PanelLayout, b: PanelLayout) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Where a new panel goes: beside the last panel when that space is free, else below every panel. */
export function newPanelLayout(panels: readonly Pick<Panel, 'layout'>[], w = 12, h = 8): PanelLayout {
  const last = panels[panels.length - 1]?.layout;
  if (last && last.x + last.w + w <= GRID_COLUMNS) {
    const beside = { x: last.x + last.w, y: last.y, w, h };
    if (!panels.some((p) => overlaps(p.layout, beside))) return beside;
  }
  return { x: 0, y: panels.reduce((max, p) => Math.max(max, p.layout.y + p.layout.h), 0), w, h };
}

/** Most render requests for a dashboard's first screen (each a heavy request for the rate limit). */
const SCREEN_PARTS = 3;

/**
 * Panel indexes in the order a render asks for them: the first screen's rows, top first, one
 * request each (at most SCREEN_PARTS, the last taking the rest of the screen), then every panel
 * below the screen in one more. The embedded engine runs one query at a time: the top of the
 * dashboard is drawn before the queries of panels nobody sees yet have run.
 */
export function renderParts(panels: readonly Pick<Panel, 'layout'>[], screenRows: number): number[][] {
  const indexed = panels.map((p, index) => ({ y: p.layout.y, index }));
  const onScreen = indexed.filter((p) => p.y < screenRows);
  const rows = [...new Set(onScreen.map((p) => p.y))].sort((a, b) => a - b);
  const partOf = (y: number) => Math.min(rows.indexOf(y), SCREEN_PARTS - 1);
  const parts: number[][] = Array.from({ length: Math.min(rows.length, SCREEN_PARTS) }, () => []);
  for (const p of onScreen) parts[partOf(p.y)]!.push(p.index);
  const below = indexed.filter((p) => p.y >= screenRows).map((p) => p.index);
  return [...parts, ...(below.length ? [below] : [])].map((part) => part.sort((a, b) => a - b));
}
