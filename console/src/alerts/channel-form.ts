import type { ChannelInput } from '@telemetryflow/contract';

/** The fields of every channel type side by side; `channelInput` builds the DTO of the chosen one. */
export interface ChannelForm {
  type: ChannelInput['type'];
  name: string;
  url: string;
  secret: string;
  routingKey: string;
  /** Recipients, separated by commas, semicolons or spaces. */
  to: string;
  apiKey: string;
  apiUrl: string;
}

export const CHANNEL_TYPE_OPTIONS: { label: string; value: ChannelInput['type'] }[] = [
  { label: 'webhook', value: 'webhook' },
  { label: 'Slack', value: 'slack' },
  { label: 'PagerDuty', value: 'pagerduty' },
  { label: 'Microsoft Teams', value: 'msteams' },
  { label: 'Opsgenie', value: 'opsgenie' },
  { label: 'e-mail', value: 'email' },
];

export const OPSGENIE_REGIONS = [
  { label: 'US (api.opsgenie.com)', value: 'https://api.opsgenie.com' },
  { label: 'EU (api.eu.opsgenie.com)', value: 'https://api.eu.opsgenie.com' },
];

export function newChannelForm(): ChannelForm {
  return {
    type: 'webhook',
    name: '',
    url: '',
    secret: '',
    routingKey: '',
    to: '',
    apiKey: '',
    apiUrl: OPSGENIE_REGIONS[0]!.value,
  };
}

/** The channel the form describes; the API's schema checks it (field by field in the form). */
export function channelInput(f: ChannelForm): ChannelInput {
  const name = f.name.trim();
  switch (f.type) {
    case 'slack':
      return { type: 'slack', name, url: f.url.trim() };
    case 'msteams':
      return { type: 'msteams', name, url: f.url.trim() };
    case 'pagerduty':
      return {
        type: 'pagerduty',
        name,
        routingKey: f.routingKey.trim(),
        url: f.url.trim() || 'https://events.pagerduty.com/v2/enqueue',
      };
    case 'opsgenie':
      return { type: 'opsgenie', name, apiKey: f.apiKey.trim(), apiUrl: f.apiUrl.trim() || OPSGENIE_REGIONS[0]!.value };
    case 'email':
      return {
        type: 'email',
        name,
        to: f.to
          .split(/[\s,;]+/)
          .map((a) => a.trim())
          .filter(Boolean),
      };
    case 'webhook':
      return { type: 'webhook', name, url: f.url.trim(), secret: f.secret };
  }
}
