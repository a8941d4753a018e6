import { BarChart, GaugeChart, GraphChart, HeatmapChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent,
  BrushComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { init, use, type ECharts, type EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref } from 'vue';
import { useThemeStore } from '../layout/theme.store.js';
import { timeZone } from '../time/time-zone.js';

use([
  LineChart,
  BarChart,
  ScatterChart,
  GraphChart,
  PieChart,
  HeatmapChart,
  GaugeChart,
  GridComponent,
  AriaComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  BrushComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = EChartsCoreOption;

/** What every chart shares: a transparent background, and time axes in the console's time zone. */
function base(option: ChartOption): ChartOption {
  return { backgroundColor: 'transparent', useUTC: timeZone.value === 'utc', ...option };
}

/**
 * The one way the console draws charts: an ECharts instance on `el`, redrawn when `option`
 * changes, re-created on a theme or time-zone change, resized with its element. `onReady` attaches events
 * once per instance; `onDrawn` runs after every drawing (a new option resets interaction modes).
 */
export function useChart(
  el: Ref<HTMLElement | null>,
  option: Ref<ChartOption>,
  onReady?: (chart: ECharts) => void,
  onDrawn?: (chart: ECharts) => void,
) {
  const theme = useThemeStore();
  const chart = shallowRef<ECharts | null>(null);
  let observer: ResizeObserver | null = null;

  function create(): void {
    if (!el.value) return;
    chart.value?.dispose();
    const c = init(el.value, theme.dark ? 'dark' : undefined, { renderer: 'canvas' });
    c.setOption(base(option.value));
    onReady?.(c);
    onDrawn?.(c);
    chart.value = c;
  }

  onMounted(() => {
    create();
    observer = new ResizeObserver(() => chart.value?.resize());
    if (el.value) observer.observe(el.value);
  });
  watch(option, (o) => {
    if (!chart.value) return;
    chart.value.setOption(base(o), { notMerge: true });
    onDrawn?.(chart.value);
  });
  watch(() => theme.dark, create);
  watch(timeZone, create);
  onBeforeUnmount(() => {
    observer?.disconnect();
    chart.value?.dispose();
    chart.value = null;
  });
  return chart;
}
