// The e-mail of a group notification: Alertmanager's default subject
// (`[FIRING:2] HighLatency api (eu prod)`), and a text and an HTML body listing every
// alert with its labels, annotations and value.
import { formatValue } from '../evaluation/templating.js';
import type { GroupNotification, NotifiedAlert } from '../routing/alert-aggregator.js';
import { goTime } from './alertmanager-webhook.js';

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

const sortedEntries = (m: Record<string, string>) => Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Alertmanager's `__subject` template: status (and firing count), group label values, then the other common label values. */
export function emailSubject(n: GroupNotification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const status = n.status === 'firing' ? `FIRING:${firing}` : 'RESOLVED';
  const commonLabels = Object.fromEntries(
    Object.entries(n.alerts[0]?.labels ?? {}).filter(([k, v]) => n.alerts.every((a) => a.labels[k] === v)),
  );
  const extra = sortedEntries(commonLabels)
    .filter(([k]) => !(k in n.groupLabels))
    .map(([, v]) => v);
  const groupValues = sortedEntries(n.groupLabels)
    .map(([, v]) => v)
    .join(' ');
  const subject = `[${status}] ${groupValues}${extra.length > 0 ? ` (${extra.join(' ')})` : ''}`;
  // A header line: no line breaks from label values.
  return subject.replace(/[\r\n]+/g, ' ').trim();
}

function alertText(a: NotifiedAlert): string {
  const lines = [
    `${a.status.toUpperCase()} since ${goTime(a.startsAtMs)}${a.status === 'resolved' && a.endsAtMs !== null ? `, resolved at ${goTime(a.endsAtMs)}` : ''}`,
  ];
  if (a.value !== undefined && a.value !== null) lines.push(`Value: ${formatValue(a.value)}`);
  lines.push('Labels:', ...sortedEntries(a.labels).map(([k, v]) => ` - ${k} = ${v}`));
  lines.push('Annotations:', ...sortedEntries(a.annotations).map(([k, v]) => ` - ${k} = ${v}`));
  if (a.excerpt?.length) lines.push('Excerpt:', ...a.excerpt.map((l) => `   ${l}`));
  if (a.generatorURL) lines.push(`Source: ${a.generatorURL}`);
  return lines.join('\n');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function pairsHtml(m: Record<string, string>): string {
  return sortedEntries(m)
    .map(([k, v]) => `<li><b>${esc(k)}</b> = ${esc(v)}</li>`)
    .join('');
}

function alertHtml(a: NotifiedAlert): string {
  const value = a.value !== undefined && a.value !== null ? `<p>Value: <b>${esc(formatValue(a.value))}</b></p>` : '';
  const source = a.generatorURL ? `<p><a href="${esc(a.generatorURL)}">Source</a></p>` : '';
  const excerpt = a.excerpt?.length ? `<p>Excerpt</p><pre>${esc(a.excerpt.join('\n'))}</pre>` : '';
  return (
    `<div class="alert"><h3>${a.status === 'firing' ? 'Firing' : 'Resolved'} since ${esc(goTime(a.startsAtMs))}</h3>${value}` +
    `<p>Labels</p><ul>${pairsHtml(a.labels)}</ul><p>Annotations</p><ul>${pairsHtml(a.annotations)}</ul>${excerpt}${source}</div>`
  );
}

/** `externalURL`: a link to the console, when there is one. */
export function renderEmail(n: GroupNotification, externalURL?: string): EmailMessage {
  const subject = emailSubject(n);
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const resolved = n.alerts.filter((a) => a.status === 'resolved');
  const sections = [
    firing.length > 0 ? `${firing.length} alert(s) firing:\n\n${firing.map(alertText).join('\n\n')}` : '',
    resolved.length > 0 ? `${resolved.length} alert(s) resolved:\n\n${resolved.map(alertText).join('\n\n')}` : '',
  ].filter(Boolean);
  if (n.truncatedAlerts) sections.push(`… and ${n.truncatedAlerts} more alert(s) of this group.`);
  const link = externalURL ? `\n\nView in TelemetryFlow: ${externalURL}` : '';
  const text = `${subject}\n\n${sections.join('\n\n')}${link}\n`;
  const htmlSections = [
    firing.length > 0 ? `<h2>${firing.length} alert(s) firing</h2>${firing.map(alertHtml).join('')}` : '',
    resolved.length > 0 ? `<h2>${resolved.length} alert(s) resolved</h2>${resolved.map(alertHtml).join('')}` : '',
  ].join('');
  const more = n.truncatedAlerts ? `<p>… and ${n.truncatedAlerts} more alert(s) of this group.</p>` : '';
  const htmlLink = externalURL ? `<p><a href="${esc(externalURL)}">View in TelemetryFlow</a></p>` : '';
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(subject)}</title></head><body><h1>${esc(subject)}</h1>${htmlSections}${more}${htmlLink}</body></html>`;
  return { subject, text, html };
}
