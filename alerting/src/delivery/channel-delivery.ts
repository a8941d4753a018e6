import type { ChannelInput } from '@telemetryflow/contract';
import type { AlertNotification } from '../notify/alert-notification.js';
import { channelRequest } from './channel-messages.js';
import { renderEmail, type EmailMessage } from './email-message.js';
import { groupChannelRequest, isGroupPayload, singleAlertGroup } from './group-messages.js';
import type { DeliveryResult, HttpDelivery } from './http-delivery.js';
import type { SmtpDelivery } from './smtp-delivery.js';

/** Told when an e-mail channel exists but the server has no SMTP relay. */
export const NO_SMTP = 'e-mail is not configured on this server (TF_SMTP_HOST)';

function testEmail(n: AlertNotification): EmailMessage {
  const subject = 'TelemetryFlow test notification';
  const text = n.annotations.summary ?? subject;
  const esc = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return { subject, text: `${text}\n`, html: `<!DOCTYPE html><html><body><p>${esc}</p></body></html>` };
}

export interface ChannelSenders {
  http: HttpDelivery;
  /** The operator's SMTP relay for e-mail channels; without it they fail, saying so. */
  smtp?: SmtpDelivery | undefined;
  /** The console, for the link in e-mails of rules' own notifications. */
  consoleUrl?: string | undefined;
}

/**
 * One delivery round of an outbox payload (a rule's own notification or a policy's group
 * notification) to a channel: e-mail through the SMTP relay, everything else over HTTP.
 */
export async function deliverToChannel(
  senders: ChannelSenders,
  target: ChannelInput,
  payload: unknown,
  nowMs: number,
): Promise<DeliveryResult> {
  const group = isGroupPayload(payload) ? payload : null;
  if (target.type === 'email') {
    if (!senders.smtp)
      return { delivered: false, permanent: true, status: null, attempts: 0, error: NO_SMTP, retryAfterMs: null };
    const own = payload as AlertNotification;
    const message =
      !group && own.kind === 'test'
        ? testEmail(own)
        : renderEmail(
            group ? group.notification : singleAlertGroup(own),
            group ? group.externalURL || undefined : senders.consoleUrl,
          );
    const r = await senders.smtp.send(target.to, message);
    return r.delivered
      ? { delivered: true, status: 250, attempts: 1 }
      : { delivered: false, permanent: r.permanent, status: null, attempts: 1, error: r.error, retryAfterMs: null };
  }
  const req = group
    ? groupChannelRequest(target, group, nowMs)
    : channelRequest(target, payload as AlertNotification, nowMs);
  return senders.http.send(req);
}
