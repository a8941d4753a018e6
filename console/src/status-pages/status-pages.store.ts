import type {
  IncidentDto,
  IncidentInput,
  IncidentUpdateInput,
  StatusComponentInput,
  StatusPageDto,
  StatusPageInput,
} from '@telemetryflow/contract';
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import {
  addComponent,
  addIncidentUpdate,
  createIncident,
  createStatusPage,
  deleteStatusPage,
  getStatusPage,
  listIncidents,
  listStatusPages,
  removeComponent,
  updateComponent,
  updateStatusPage,
} from '../api/alerting.js';
import { resetOnTenantChange } from '../auth/tenant-scope.js';

/**
 * Status pages of the tenant and the open page with its incidents. Every change is answered
 * with the page (or incident) as the server now has it, which replaces the store's copy.
 */
export const useStatusPagesStore = defineStore('statusPages', () => {
  const list = shallowRef<StatusPageDto[]>([]);
  const current = shallowRef<StatusPageDto | null>(null);
  const incidents = shallowRef<IncidentDto[]>([]);

  resetOnTenantChange(() => {
    list.value = [];
    current.value = null;
    incidents.value = [];
  });

  function remember(p: StatusPageDto): StatusPageDto {
    if (current.value?.id !== p.id) incidents.value = [];
    current.value = p;
    list.value = list.value.some((x) => x.id === p.id)
      ? list.value.map((x) => (x.id === p.id ? p : x))
      : [...list.value, p];
    return p;
  }
  /** Components changed: the page (statuses, order) is read again. */
  const reload = async (pageId: string) => remember((await getStatusPage(pageId)).data);

  async function loadList(): Promise<void> {
    list.value = (await listStatusPages()).data;
  }
  async function open(pageId: string): Promise<StatusPageDto> {
    const [p, i] = await Promise.all([getStatusPage(pageId), listIncidents(pageId)]);
    remember(p.data);
    incidents.value = i.data;
    return p.data;
  }
  async function create(input: StatusPageInput): Promise<StatusPageDto> {
    return remember((await createStatusPage(input)).data);
  }
  async function update(pageId: string, input: StatusPageInput): Promise<StatusPageDto> {
    return remember((await updateStatusPage(pageId, input)).data);
  }
  async function remove(pageId: string): Promise<void> {
    await deleteStatusPage(pageId);
    list.value = list.value.filter((p) => p.id !== pageId);
    if (current.value?.id === pageId) current.value = null;
  }
  /** Adds the component (`componentId` null) or changes it. */
  async function saveComponent(
    pageId: string,
    componentId: string | null,
    input: StatusComponentInput,
  ): Promise<StatusPageDto> {
    await (componentId ? updateComponent(pageId, componentId, input) : addComponent(pageId, input));
    return reload(pageId);
  }
  async function deleteComponent(pageId: string, componentId: string): Promise<StatusPageDto> {
    await removeComponent(pageId, componentId);
    return reload(pageId);
  }
  async function openIncident(pageId: string, input: IncidentInput): Promise<IncidentDto> {
    const incident = (await createIncident(pageId, input)).data;
    incidents.value = [incident, ...incidents.value];
    await reload(pageId);
    return incident;
  }
  async function postUpdate(pageId: string, incidentId: string, input: IncidentUpdateInput): Promise<IncidentDto> {
    const incident = (await addIncidentUpdate(pageId, incidentId, input)).data;
    incidents.value = incidents.value.map((i) => (i.id === incidentId ? incident : i));
    await reload(pageId);
    return incident;
  }

  return {
    list,
    current,
    incidents,
    loadList,
    open,
    create,
    update,
    remove,
    saveComponent,
    deleteComponent,
    openIncident,
    postUpdate,
  };
});
