import type {
  DashboardDefinition,
  DashboardDto,
  DashboardSummaryDto,
  DashboardVersionDto,
} from '@telemetryflow/contract';
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import {
  createDashboard,
  deleteDashboard,
  getDashboard,
  importDashboard,
  listDashboards,
  listVersions,
  restoreVersion,
  saveDashboard,
} from '../api/dashboards.js';
import { resetOnTenantChange } from '../auth/tenant-scope.js';

/** The list a summary shows for a dashboard (what the list API answers for it). */
function summaryOf(d: DashboardDto): DashboardSummaryDto {
  return {
    id: d.id,
    title: d.title,
    ...(d.description ? { description: d.description } : {}),
    ...(d.tags ? { tags: d.tags } : {}),
    version: d.version,
    builtIn: d.builtIn,
    panelCount: d.panels.length,
    updatedAt: d.updatedAt,
  };
}

/**
 * Dashboards of the tenant: the list, the open dashboard and its versions. Saving or restoring
 * updates the open dashboard and its row in the list, so both views agree without a reload.
 */
export const useDashboardsStore = defineStore('dashboards', () => {
  const list = shallowRef<DashboardSummaryDto[]>([]);
  const current = shallowRef<DashboardDto | null>(null);
  const versions = shallowRef<DashboardVersionDto[]>([]);

  resetOnTenantChange(() => {
    list.value = [];
    current.value = null;
    versions.value = [];
  });

  function remember(d: DashboardDto): DashboardDto {
    if (current.value?.id !== d.id) versions.value = [];
    current.value = d;
    const row = summaryOf(d);
    list.value = list.value.some((s) => s.id === d.id)
      ? list.value.map((s) => (s.id === d.id ? row : s))
      : [...list.value, row];
    return d;
  }

  async function loadList(): Promise<DashboardSummaryDto[]> {
    list.value = (await listDashboards()).data;
    return list.value;
  }
  async function open(id: string): Promise<DashboardDto> {
    return remember((await getDashboard(id)).data);
  }
  async function create(definition: DashboardDefinition): Promise<DashboardDto> {
    return remember((await createDashboard(definition)).data);
  }
  async function importDefinition(definition: unknown): Promise<DashboardDto> {
    return remember((await importDashboard(definition)).data);
  }
  /** Saves the definition as the next version of the open dashboard. */
  async function save(id: string, definition: DashboardDefinition): Promise<DashboardDto> {
    const saved = remember((await saveDashboard(id, definition)).data);
    if (versions.value.length) await loadVersions(id);
    return saved;
  }
  async function loadVersions(id: string): Promise<DashboardVersionDto[]> {
    versions.value = (await listVersions(id)).data;
    return versions.value;
  }
  /** Restores an old version; the server saves it as a new version. */
  async function restore(id: string, version: number): Promise<DashboardDto> {
    const restored = remember((await restoreVersion(id, version)).data);
    await loadVersions(id);
    return restored;
  }

  /** Deletes a dashboard with its versions; it leaves the list (and the open one, if it was). */
  async function remove(id: string): Promise<void> {
    await deleteDashboard(id);
    list.value = list.value.filter((d) => d.id !== id);
    if (current.value?.id === id) current.value = null;
  }

  return { list, current, versions, loadList, open, create, importDefinition, save, loadVersions, restore, remove };
});
