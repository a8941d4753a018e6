import type { MonitorDto, MonitorInput } from '@telemetryflow/contract/monitors';
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import {
  createMonitor,
  deleteMonitor,
  getMonitor,
  listMonitors,
  pauseMonitor,
  resumeMonitor,
  updateMonitor,
} from '../api/monitors.js';
import { resetOnTenantChange } from '../auth/tenant-scope.js';

/**
 * Uptime monitors of the tenant and the open one. Every change is answered with the monitor as
 * the server now has it (state included), which replaces the store's copy.
 */
export const useMonitorsStore = defineStore('monitors', () => {
  const list = shallowRef<MonitorDto[]>([]);
  const current = shallowRef<MonitorDto | null>(null);

  resetOnTenantChange(() => {
    list.value = [];
    current.value = null;
  });

  function remember(m: MonitorDto): MonitorDto {
    current.value = m;
    list.value = list.value.some((x) => x.id === m.id)
      ? list.value.map((x) => (x.id === m.id ? m : x))
      : [...list.value, m];
    return m;
  }

  async function loadList(): Promise<MonitorDto[]> {
    list.value = (await listMonitors()).data;
    return list.value;
  }
  async function open(id: string): Promise<MonitorDto> {
    return remember((await getMonitor(id)).data);
  }
  /** Creates the monitor (`id` null) or replaces its config. */
  async function save(id: string | null, input: MonitorInput): Promise<MonitorDto> {
    return remember((id ? await updateMonitor(id, input) : await createMonitor(input)).data);
  }
  async function setPaused(id: string, paused: boolean): Promise<MonitorDto> {
    return remember((paused ? await pauseMonitor(id) : await resumeMonitor(id)).data);
  }
  async function remove(id: string): Promise<void> {
    await deleteMonitor(id);
    list.value = list.value.filter((m) => m.id !== id);
    if (current.value?.id === id) current.value = null;
  }

  return { list, current, loadList, open, save, setPaused, remove };
});
