import type { AlertDto, AlertRuleDto, AlertRuleInput, AlertState, ChannelDto } from '@telemetryflow/contract';
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { createRule, deleteRule, listAlerts, listChannels, listRules, updateRule } from '../api/alerting.js';
import { resetOnTenantChange } from '../auth/tenant-scope.js';

const RANK: Record<AlertState, number> = { firing: 3, pending: 2, resolved: 1, inactive: 0 };

/** A rule's state: its worst alert's (a rule without alerts is inactive). */
export function ruleState(ruleId: string, alerts: readonly AlertDto[]): AlertState {
  return alerts
    .filter((a) => a.ruleId === ruleId)
    .reduce<AlertState>((worst, a) => (RANK[a.state] > RANK[worst] ? a.state : worst), 'inactive');
}

/**
 * Alert rules, their alerts and the notification channels of the tenant: the rules list, the
 * rule editor (channels to pick) and status pages (rules to bind components to) share them.
 */
export const useAlertsStore = defineStore('alerts', () => {
  const rules = shallowRef<AlertRuleDto[]>([]);
  const alerts = shallowRef<AlertDto[]>([]);
  const channels = shallowRef<ChannelDto[]>([]);
  const states = computed(() => new Map(rules.value.map((r) => [r.id, ruleState(r.id, alerts.value)])));

  resetOnTenantChange(() => {
    rules.value = [];
    alerts.value = [];
    channels.value = [];
  });

  async function loadRules(): Promise<void> {
    const [r, a] = await Promise.all([listRules(), listAlerts()]);
    rules.value = r.data;
    alerts.value = a.data;
  }
  async function loadChannels(): Promise<void> {
    channels.value = (await listChannels()).data;
  }
  /** Creates the rule (`id` null) or replaces it; the list shows the saved rule at once. */
  async function saveRule(id: string | null, input: AlertRuleInput): Promise<AlertRuleDto> {
    const saved = (id ? await updateRule(id, input) : await createRule(input)).data;
    rules.value = id ? rules.value.map((r) => (r.id === id ? saved : r)) : [...rules.value, saved];
    return saved;
  }
  async function removeRule(id: string): Promise<void> {
    await deleteRule(id);
    rules.value = rules.value.filter((r) => r.id !== id);
    alerts.value = alerts.value.filter((a) => a.ruleId !== id);
  }

  return { rules, alerts, channels, states, loadRules, loadChannels, saveRule, removeRule };
});
