import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { EmailMessage } from './email-message.js';

/**
 * The operator's SMTP relay (Alertmanager's global smtp_* settings). Channels only name
 * recipients: a tenant cannot point the server at another host, so no address guard here.
 */
export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465); otherwise plain, upgraded with STARTTLS. */
  implicitTls?: boolean;
  /** Refuse to send unless the server offers STARTTLS (default true, as Alertmanager's require_tls). */
  requireTls?: boolean;
  auth?: { user: string; pass: string };
  /** The sender address, `Alerts <alerts@example.com>`. */
  from: string;
  /** The name in EHLO (default: the machine's host name). */
  hello?: string;
  /** Certificates trusted besides the system's (PEM), e.g. a private relay's CA. */
  ca?: string[];
  timeoutMs?: number;
  /** Where failures are told in detail: the log, never the API. */
  log?: (msg: string) => void;
}

export type EmailResult =
  { delivered: true; messageId: string; accepted: string[] } | { delivered: false; permanent: boolean; error: string };

interface SmtpError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  message?: string;
}

/** What the sender is told; the server's own reply goes to the log. */
export const EMAIL_FAILED = {
  auth: 'SMTP authentication failed',
  tls: 'the SMTP server does not offer STARTTLS, or its TLS certificate is not trusted',
  rejected: 'the SMTP server refused the message',
  unreachable: 'the SMTP server could not be reached or did not answer',
} as const;

/** Certificate and handshake failures (nodemailer reports them as ESOCKET with the TLS code as originalCode). */
const TLS_CODE = /^(ETLS|ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

function verdict(err: SmtpError): { permanent: boolean; error: string } {
  if (err.code === 'EAUTH') return { permanent: true, error: EMAIL_FAILED.auth };
  if (TLS_CODE.test(err.code ?? '') || TLS_CODE.test(err.originalCode ?? ''))
    return { permanent: true, error: EMAIL_FAILED.tls };
  if (typeof err.responseCode === 'number' && err.responseCode >= 400)
    return { permanent: err.responseCode >= 500, error: EMAIL_FAILED.rejected };
  return { permanent: false, error: EMAIL_FAILED.unreachable };
}

/** Sends notification e-mails through one SMTP relay (a pooled nodemailer transport). */
export class SmtpDelivery {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(private readonly cfg: SmtpConfig) {
    const timeout = cfg.timeoutMs ?? 10_000;
    this.transport = createTransport({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.implicitTls ?? false,
      requireTLS: !(cfg.implicitTls ?? false) && (cfg.requireTls ?? true),
      ...(cfg.auth ? { auth: { user: cfg.auth.user, pass: cfg.auth.pass } } : {}),
      ...(cfg.hello ? { name: cfg.hello } : {}),
      tls: { minVersion: 'TLSv1.2', ...(cfg.ca ? { ca: cfg.ca } : {}) },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      pool: true,
      maxConnections: 2,
    });
  }

  async send(to: readonly string[], message: EmailMessage): Promise<EmailResult> {
    try {
      const info = await this.transport.sendMail({
        from: this.cfg.from,
        to: [...to],
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      return { delivered: true, messageId: info.messageId, accepted: info.accepted.map(String) };
    } catch (err) {
      const e = err as SmtpError;
      this.cfg.log?.(
        `e-mail via ${this.cfg.host}:${this.cfg.port} failed: ${e.code ?? ''} ${e.originalCode ?? ''} ${e.responseCode ?? ''} ${e.message ?? String(err)}`,
      );
      return { delivered: false, ...verdict(e) };
    }
  }

  close(): void {
    this.transport.close();
  }
}
