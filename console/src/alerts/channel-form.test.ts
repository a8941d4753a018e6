import { ChannelInputSchema } from '@telemetryflow/contract/alerting';
import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../layout/field-errors.js';
import { channelInput, newChannelForm, type ChannelForm } from './channel-form.js';

function errorsOf(f: Partial<ChannelForm>): Record<string, string> {
  const r = ChannelInputSchema.safeParse(channelInput({ ...newChannelForm(), ...f }));
  return r.success ? {} : fieldErrors(r.error.issues);
}

describe('channel form', () => {
  it('Teams: needs a name and an http(s) URL', () => {
    expect(Object.keys(errorsOf({ type: 'msteams' })).sort()).toEqual(['name', 'url']);
    expect(Object.keys(errorsOf({ type: 'msteams', name: 't', url: 'ftp://x.test/hook' }))).toEqual(['url']);
    const input = channelInput({ ...newChannelForm(), type: 'msteams', name: ' t ', url: ' https://x.test/hook ' });
    expect(input).toEqual({ type: 'msteams', name: 't', url: 'https://x.test/hook' });
    expect(ChannelInputSchema.safeParse(input).success).toBe(true);
  });

  it('Opsgenie: needs the API key; the region is the US unless the EU is chosen', () => {
    expect(Object.keys(errorsOf({ type: 'opsgenie', name: 'og' }))).toEqual(['apiKey']);
    expect(channelInput({ ...newChannelForm(), type: 'opsgenie', name: 'og', apiKey: 'k' })).toEqual({
      type: 'opsgenie',
      name: 'og',
      apiKey: 'k',
      apiUrl: 'https://api.opsgenie.com',
    });
    const eu = channelInput({
      ...newChannelForm(),
      type: 'opsgenie',
      name: 'og',
      apiKey: 'k',
      apiUrl: 'https://api.eu.opsgenie.com',
    });
    expect(ChannelInputSchema.safeParse(eu).success).toBe(true);
    expect(Object.keys(errorsOf({ type: 'opsgenie', name: 'og', apiKey: 'k', apiUrl: 'not a url' }))).toEqual([
      'apiUrl',
    ]);
  });

  it('the other types as before: a short webhook secret and a bad address are named', () => {
    expect(Object.keys(errorsOf({ type: 'webhook', name: 'w', url: 'https://x.test', secret: 'short' }))).toEqual([
      'secret',
    ]);
    expect(Object.keys(errorsOf({ type: 'email', name: 'e', to: 'ops@example.com, nope' }))).toEqual(['to.1']);
    expect(errorsOf({ type: 'pagerduty', name: 'p', routingKey: 'R' })).toEqual({});
  });
});
