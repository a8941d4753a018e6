import type { ComponentStatus, IncidentDto, PublicStatusDto, UptimeDayDto } from '@telemetryflow/contract';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML and XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const LABEL: Record<ComponentStatus | 'none', string> = {
  operational: 'Operational',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  maintenance: 'Under maintenance',
  none: 'No data',
};

const PAGE_LABEL: Record<ComponentStatus, string> = {
  operational: 'All systems operational',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  maintenance: 'Maintenance in progress',
};

const CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem;margin:0 0 .25rem}.banner{padding:1rem;border-radius:6px;color:#fff;font-weight:600;margin:1.5rem 0}
.operational{background:#1a7f37}.degraded{background:#9a6700}.partial_outage{background:#bc4c00}.major_outage{background:#cf222e}.maintenance{background:#0969da}.none{background:#d0d7de}
.component{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}.component header{display:flex;justify-content:space-between}
.bars{display:flex;gap:1px;margin:.5rem 0 .25rem;height:2rem}.bars span{flex:1;border-radius:1px}.legend{display:flex;justify-content:space-between;color:#57606a;font-size:.8rem}
.incident{border-left:4px solid #d0d7de;padding:.25rem 1rem;margin:1rem 0}.incident.degraded,.incident.partial_outage,.incident.major_outage,.incident.maintenance{background:none}
.incident.degraded{border-left-color:#9a6700}.incident.partial_outage{border-left-color:#bc4c00}.incident.major_outage{border-left-color:#cf222e}.incident.maintenance{border-left-color:#0969da}.incident h3{margin:.25rem 0}.update{margin:.5rem 0}.muted{color:#57606a;font-size:.85rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}`;

function bars(days: UptimeDayDto[]): string {
  const spans = days.map((d) => {
    const up = d.uptimePercent != null ? `, ${d.uptimePercent} % up` : '';
    const text = `${d.date}: ${LABEL[d.status]}${up}${d.outageMinutes > 0 ? `, ${d.outageMinutes} min of outage` : ''}`;
    return `<span class="${d.status}" title="${escapeXml(text)}"><span class="visually-hidden">${escapeXml(text)}</span></span>`;
  });
  return `<div class="bars" role="img" aria-label="Uptime over the last ${days.length} days">${spans.join('')}</div>`;
}

/**
 * What a component's uptime line says: the share of time without outage over the days that
 * have data, and how many those are — no data is not uptime. A component not operational now
 * never reads "100% uptime": its status comes first, and a full share reads as no outage recorded.
 */
export function uptimeLegend(c: PublicStatusDto['components'][number]): string {
  const withData = c.days.filter((d) => d.status !== 'none').length;
  if (c.uptimePercent === null || withData === 0) return 'No data yet';
  const over = `over ${withData} day${withData === 1 ? '' : 's'} with data`;
  if (c.status === 'operational' || c.status === 'maintenance') return `${c.uptimePercent}% uptime ${over}`;
  const share = c.uptimePercent >= 100 ? `no outage recorded ${over}` : `${c.uptimePercent}% uptime ${over}`;
  return `${LABEL[c.status]} now · ${share}`;
}

/** The page for a slug no status page has: a plain 404 page, not an API error. */
export function renderStatusNotFound(slug: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Status page not found</title><style>${CSS}</style></head>
<body><h1>Status page not found</h1><p>There is no status page at <code>/status/${escapeXml(slug)}</code>. Check the address, or ask whoever gave it to you for the current one.</p></body></html>`;
}

function incident(i: IncidentDto): string {
  const updates = [...i.updates]
    .reverse()
    .map(
      (u) =>
        `<div class="update"><strong>${escapeXml(u.status)}</strong> — ${escapeXml(u.message)}<div class="muted"><time datetime="${u.at}">${u.at.replace('T', ' ').slice(0, 16)} UTC</time></div></div>`,
    );
  return `<article class="incident ${i.status === 'resolved' ? '' : i.impact}"><h3>${escapeXml(i.title)}</h3><div class="muted">${escapeXml(LABEL[i.impact])}${i.resolvedAt ? ` · resolved ${i.resolvedAt.replace('T', ' ').slice(0, 16)} UTC` : ''}</div>${updates.join('')}</article>`;
}

/** The public page: plain HTML and CSS, nothing that needs JavaScript. */
export function renderStatusPage(s: PublicStatusDto, slug: string): string {
  const components = s.components.map(
    (
      c,
    ) => `<section class="component"><header><strong>${escapeXml(c.name)}</strong><span>${escapeXml(LABEL[c.status])}</span></header>
${c.description ? `<div class="muted">${escapeXml(c.description)}</div>` : ''}${bars(c.days)}
<div class="legend"><span>${c.days.length} days ago</span><span data-uptime>${escapeXml(uptimeLegend(c))}</span><span>Today</span></div></section>`,
  );
  const open = s.incidents.filter((i) => i.status !== 'resolved');
  const past = s.incidents.filter((i) => i.status === 'resolved');
  const feed = `/status/${encodeURIComponent(slug)}/feed.atom`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeXml(s.title)} status</title><link rel="alternate" type="application/atom+xml" title="Incidents" href="${feed}"><style>${CSS}</style></head>
<body><h1>${escapeXml(s.title)}</h1>${s.description ? `<p class="muted">${escapeXml(s.description)}</p>` : ''}
<div class="banner ${s.status}">${escapeXml(PAGE_LABEL[s.status])}</div>
${open.length ? `<h2>Current incidents</h2>${open.map(incident).join('\n')}` : ''}
${s.scheduledMaintenance.length ? `<h2>Scheduled maintenance</h2>${s.scheduledMaintenance.map(incident).join('\n')}` : ''}
<h2>Components</h2>${components.join('\n')}
<h2>Past incidents</h2>${past.length ? past.map(incident).join('\n') : '<p class="muted">No incidents in the last 14 days.</p>'}
<p class="muted">Updated <time datetime="${s.generatedAt}">${s.generatedAt.replace('T', ' ').slice(0, 19)} UTC</time> · <a href="${feed}">Atom feed</a> · <a href="/status/${encodeURIComponent(slug)}/api">JSON</a></p>
</body></html>`;
}

const newestFirst = (s: PublicStatusDto) =>
  [...s.incidents, ...s.scheduledMaintenance].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
const lastUpdate = (i: IncidentDto) =>
  i.updates
    .map((u) => u.at)
    .sort()
    .at(-1) ?? i.startedAt;
const updatesText = (i: IncidentDto) =>
  [...i.updates]
    .reverse()
    .map((u) => `${u.at} ${u.status}: ${u.message}`)
    .join('\n');

/** Atom 1.0 feed of the page's incidents, newest first. */
export function renderIncidentFeed(s: PublicStatusDto, pageUrl: string): string {
  const all = newestFirst(s);
  const updated = lastUpdate;
  const feedUpdated = all.map(updated).sort().at(-1) ?? s.generatedAt;
  const entries = all.map(
    (
      i,
    ) => `<entry><id>urn:uuid:${i.id}</id><title>${escapeXml(`${i.title} (${i.status})`)}</title><updated>${updated(i)}</updated><published>${i.startedAt}</published>
<link href="${escapeXml(pageUrl)}"/><content type="text">${escapeXml(updatesText(i))}</content></entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${escapeXml(`${pageUrl}#incidents`)}</id><title>${escapeXml(`${s.title} incidents`)}</title><updated>${feedUpdated}</updated>
<link rel="alternate" href="${escapeXml(pageUrl)}"/><link rel="self" href="${escapeXml(`${pageUrl}/feed.atom`)}"/><author><name>${escapeXml(s.title)}</name></author>
${entries.join('\n')}
</feed>`;
}

/** RSS 2.0 feed of the same incidents, for readers without Atom. */
export function renderIncidentRss(s: PublicStatusDto, pageUrl: string): string {
  const rfc822 = (iso: string) => new Date(iso).toUTCString();
  const items = newestFirst(s).map(
    (
      i,
    ) => `<item><guid isPermaLink="false">urn:uuid:${i.id}</guid><title>${escapeXml(`${i.title} (${i.status})`)}</title>
<link>${escapeXml(pageUrl)}</link><pubDate>${rfc822(lastUpdate(i))}</pubDate><description>${escapeXml(updatesText(i))}</description></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>${escapeXml(`${s.title} incidents`)}</title><link>${escapeXml(pageUrl)}</link><description>${escapeXml(s.description || `${s.title} status`)}</description>
<lastBuildDate>${rfc822(s.generatedAt)}</lastBuildDate>
${items.join('\n')}
</channel></rss>`;
}
