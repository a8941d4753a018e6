// Microsoft Teams: a message with one Adaptive Card (1.4), which both the classic incoming
// webhooks and Workflows' "when a Teams webhook request is received" accept.
import { formatValue } from '../evaluation/templating.js';
import type { AlertNotification } from '../notify/alert-notification.js';
import type { GroupNotification, NotifiedAlert } from '../routing/alert-aggregator.js';
import { emailSubject } from './email-message.js';

type Element = Record<string, unknown>;

const MAX_TEAMS_ALERTS = 10;
/** Teams refuses messages over about 28 KB; text is cut well before that. */
const MAX_TEXT = 2000;

const COLOR = { firing: 'Attention', resolved: 'Good', test: 'Accent' } as const;

function facts(entries: [string, string][]): Element {
  return {
    type: 'FactSet',
    facts: entries.map(([title, value]) => ({ title: title.slice(0, 100), value: value.slice(0, 500) })),
  };
}

function heading(text: string, color: string): Element {
  return { type: 'TextBlock', text: text.slice(0, 200), size: 'Large', weight: 'Bolder', color, wrap: true };
}

function excerptBlock(lines: string[]): Element {
  return { type: 'TextBlock', text: lines.join('\n\n').slice(0, MAX_TEXT), fontType: 'Monospace', wrap: true };
}

function openAction(url: string): Element {
  return { type: 'Action.OpenUrl', title: 'Open in TelemetryFlow', url };
}

/** The Teams message around an Adaptive Card. */
export function teamsEnvelope(body: Element[], actions: Element[]): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(actions.length ? { actions } : {}),
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

/** A rule's own notification (or a channel test) as a Teams card. */
export function teamsMessage(n: AlertNotification): Record<string, unknown> {
  if (n.kind === 'test')
    return teamsEnvelope(
      [
        heading('TelemetryFlow test notification', COLOR.test),
        { type: 'TextBlock', text: n.annotations.summary ?? '', wrap: true },
      ],
      [],
    );
  const state = n.kind === 'firing' ? 'FIRING' : 'RESOLVED';
  const summary = n.annotations.summary ?? `${n.ruleName} is ${n.kind} (value ${formatValue(n.value)})`;
  const body: Element[] = [
    heading(`${state}: ${n.ruleName}`, COLOR[n.kind]),
    { type: 'TextBlock', text: summary.slice(0, MAX_TEXT), wrap: true },
    facts([
      ['State', state.toLowerCase()],
      ['Severity', n.severity],
      ['Value', formatValue(n.value)],
      ['Since', n.startsAt],
      ...(n.endsAt ? ([['Resolved at', n.endsAt]] as [string, string][]) : []),
    ]),
  ];
  const labels = Object.entries(n.labels);
  if (labels.length)
    body.push({ type: 'TextBlock', text: 'Labels', weight: 'Bolder', spacing: 'Medium' }, facts(labels));
  const annotations = Object.entries(n.annotations).filter(([k]) => k !== 'summary');
  if (annotations.length)
    body.push({ type: 'TextBlock', text: 'Annotations', weight: 'Bolder', spacing: 'Medium' }, facts(annotations));
  if (n.excerpt?.length) body.push(excerptBlock(n.excerpt));
  return teamsEnvelope(body, n.url ? [openAction(n.url)] : []);
}

function alertContainer(a: NotifiedAlert): Element {
  const summary = a.annotations.summary ?? a.annotations.description ?? '';
  const value = a.value !== undefined && a.value !== null ? ` (value ${formatValue(a.value)})` : '';
  const items: Element[] = [
    {
      type: 'TextBlock',
      text: `**${a.status === 'firing' ? 'Firing' : 'Resolved'}**${value}: ${summary}`.slice(0, MAX_TEXT),
      wrap: true,
    },
    facts(Object.entries(a.labels)),
  ];
  if (a.excerpt?.length) items.push(excerptBlock(a.excerpt));
  return { type: 'Container', separator: true, items };
}

/** One card per group notification of a notification policy. */
export function teamsGroupMessage(n: GroupNotification, externalURL: string): Record<string, unknown> {
  const body: Element[] = [
    heading(emailSubject(n), n.status === 'firing' ? COLOR.firing : COLOR.resolved),
    ...n.alerts.slice(0, MAX_TEAMS_ALERTS).map(alertContainer),
  ];
  const more = n.alerts.length - Math.min(n.alerts.length, MAX_TEAMS_ALERTS) + (n.truncatedAlerts ?? 0);
  if (more > 0) body.push({ type: 'TextBlock', text: `… and ${more} more`, isSubtle: true });
  return teamsEnvelope(body, externalURL ? [openAction(externalURL)] : []);
}
