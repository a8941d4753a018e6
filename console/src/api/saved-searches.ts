import type { SavedSearchBody, SavedSearchDto, SavedSearchSignal } from '@telemetryflow/contract';
import { request } from './http.js';

export function listSavedSearches(signal: SavedSearchSignal) {
  return request<SavedSearchDto[]>('/saved-searches', { query: { signal } });
}

export function createSavedSearch(body: SavedSearchBody) {
  return request<SavedSearchDto>('/saved-searches', { method: 'POST', body });
}

export function deleteSavedSearch(id: string) {
  return request<void>(`/saved-searches/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
