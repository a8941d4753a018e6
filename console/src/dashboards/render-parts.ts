import type { DashboardRenderDto } from '@telemetryflow/contract';

/**
 * A render with the panels of `part` (an answer for some panels) put over those of `shown`:
 * until a panel's new result arrives, the previous one of the same dashboard stays on show.
 */
export function withPanelsOf(shown: DashboardRenderDto | null, part: DashboardRenderDto): DashboardRenderDto {
  if (!shown || shown.dashboardId !== part.dashboardId) return part;
  const replaced = new Set(part.panels.map((p) => p.index));
  const panels = [...shown.panels.filter((p) => !replaced.has(p.index)), ...part.panels];
  return { ...part, panels: panels.sort((a, b) => a.index - b.index) };
}
