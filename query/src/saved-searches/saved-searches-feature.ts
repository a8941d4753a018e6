import type { ControlPlaneFeature } from '@telemetryflow/identity';
import { SavedSearchEntity } from './saved-search.entity.js';
import { SavedSearches1766000000000 } from './migrations/0012-saved-searches.js';

/** Saved searches in the control-plane database (migration 0012). */
export const SAVED_SEARCHES_FEATURE: ControlPlaneFeature = {
  entities: [SavedSearchEntity],
  migrations: [SavedSearches1766000000000],
};
