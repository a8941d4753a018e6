import { BarChart, GaugeChart, GraphChart, HeatmapChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import {
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

use([
  LineChart,
  BarChart,
  ScatterChart,
  GraphChart,
  PieChart,
  HeatmapChart,
  GaugeChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  BrushComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = EChartsCoreOption;

/**
 * The one way the console draws charts: an ECharts instance on `el`, redrawn when `option`
 * changes, re-created on a theme change, resized with its element. `onReady` attaches events
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
    c.setOption({ backgroundColor: 'transparent', ...option.value });
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
    chart.value.setOption({ backgroundColor: 'transparent', ...o }, { notMerge: true });
    onDrawn?.(chart.value);
  });
  watch(() => theme.dark, create);
  onBeforeUnmount(() => {
    observer?.disconnect();
    chart.value?.dispose();
    chart.value = null;
  });
  return chart;
}
