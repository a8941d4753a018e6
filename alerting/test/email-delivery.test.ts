// E-mail through a real SMTP server (npm smtp-server) in the test: STARTTLS with a
// certificate made here, AUTH only after it; the message is parsed back (mailparser) and
// its templated content checked.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import {
  AlertAggregator,
  buildNotificationPolicy,
  deliverToChannel,
  EMAIL_FAILED,
  renderEmail,
  SmtpDelivery,
  type GroupNotification,
  type SmtpConfig,
} from '../src/index.js';

interface Delivered {
  mail: ParsedMail;
  /** The session was upgraded with STARTTLS before the message was sent. */
  secure: boolean;
  user: string | undefined;
  rcptTo: string[];
}

interface MailServer {
  port: number;
  delivered: Delivered[];
  close(): Promise<void>;
}

let pems: { cert: string; key: string };
const running: MailServer[] = [];

async function startMailServer(extra: Partial<SMTPServerOptions> = {}): Promise<MailServer> {
  const delivered: Delivered[] = [];
  const server = new SMTPServer({
    secure: false,
    key: pems.key,
    cert: pems.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alerts' && auth.password === 'app-password') return cb(null, { user: 'alerts' });
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.endsWith('@gone.test'))
        return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      if (address.address.endsWith('@busy.test'))
        return cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        delivered.push({
          mail,
          secure: session.secure,
          user: session.user as string | undefined,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        });
        cb();
      }, cb);
    },
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const mailServer = {
    port: (server.server.address() as AddressInfo).port,
    delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  running.push(mailServer);
  return mailServer;
}

const deliveries: SmtpDelivery[] = [];
function smtp(port: number, cfg: Partial<SmtpConfig> = {}): SmtpDelivery {
  const d = new SmtpDelivery({
    host: 'localhost',
    port,
    from: 'TelemetryFlow <alerts@tf.test>',
    auth: { user: 'alerts', pass: 'app-password' },
    ca: [pems.cert],
    timeoutMs: 5000,
    ...cfg,
  });
  deliveries.push(d);
  return d;
}

const T0 = Date.parse('2024-05-06T10:00:00Z');

/** A group notification made the way the routing makes it: two checkout alerts grouped by alertname. */
function notification(): GroupNotification {
  const agg = new AlertAggregator(buildNotificationPolicy({ route: { receiver: 'ops-mail', groupBy: ['alertname'] } }));
  for (const [instance, value] of [
    ['pod-1', 1530],
    ['pod-2', 987.5],
  ] as const) {
    agg.receive(
      {
        labels: { alertname: 'CheckoutLatencyHigh', service: 'checkout', env: 'prod', instance },
        annotations: {
          summary: `p95 latency of checkout on ${instance} is ${value} ms`,
          runbook: 'https://runbooks.tf.test/checkout',
        },
        startsAtMs: T0,
        endsAtMs: null,
        value,
        generatorURL: 'https://tf.test/alerts?rule=r-42',
      },
      T0,
    );
  }
  return agg.flush(T0 + 30_000)[0]!;
}

before(async () => {
  const made = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  pems = { cert: made.cert, key: made.private };
});
after(async () => {
  for (const d of deliveries) d.close();
  for (const s of running) await s.close();
});

describe('e-mail channel over SMTP', () => {
  it('arrives over STARTTLS after AUTH, with the templated subject, text and HTML', async () => {
    const server = await startMailServer();
    const message = renderEmail(notification(), 'https://tf.test');
    const result = await smtp(server.port).send(['oncall@example.test', 'lead@example.test'], message);
    assert.equal(result.delivered, true, JSON.stringify(result));
    assert.equal(server.delivered.length, 1);
    const [d] = server.delivered;
    assert.equal(d!.secure, true, 'STARTTLS before the message');
    assert.equal(d!.user, 'alerts', 'authenticated');
    assert.deepEqual(d!.rcptTo, ['oncall@example.test', 'lead@example.test']);
    assert.equal(d!.mail.from?.text, '"TelemetryFlow" <alerts@tf.test>');
    assert.equal(d!.mail.subject, '[FIRING:2] CheckoutLatencyHigh (prod checkout)');
    const text = d!.mail.text ?? '';
    for (const line of [
      '2 alert(s) firing:',
      'FIRING since 2024-05-06T10:00:00Z',
      'Value: 1530',
      'Value: 987.5',
      ' - instance = pod-1',
      ' - service = checkout',
      ' - summary = p95 latency of checkout on pod-2 is 987.5 ms',
      ' - runbook = https://runbooks.tf.test/checkout',
      'Source: https://tf.test/alerts?rule=r-42',
      'View in TelemetryFlow: https://tf.test',
    ])
      assert.ok(text.split('\n').includes(line), `text has ${JSON.stringify(line)}:\n${text}`);
    const html = String(d!.mail.html);
    assert.ok(html.includes('<h2>2 alert(s) firing</h2>'));
    assert.ok(html.includes('<b>instance</b> = pod-2'));
    assert.ok(html.includes('Value: <b>987.5</b>'));
    assert.ok(html.includes('<a href="https://tf.test">View in TelemetryFlow</a>'));
  });

  it('a wrong password is a permanent failure, worded without the server reply', async () => {
    const server = await startMailServer();
    const logged: string[] = [];
    const r = await smtp(server.port, { auth: { user: 'alerts', pass: 'wrong' }, log: (m) => logged.push(m) }).send(
      ['oncall@example.test'],
      renderEmail(notification()),
    );
    assert.deepEqual(r, { delivered: false, permanent: true, error: EMAIL_FAILED.auth });
    assert.match(logged.join('\n'), /535/);
    assert.equal(server.delivered.length, 0);
  });

  it('refuses to send when the server does not offer STARTTLS, or its certificate is not trusted', async () => {
    const plain = await startMailServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    const r = await smtp(plain.port).send(['oncall@example.test'], renderEmail(notification()));
    assert.deepEqual(r, { delivered: false, permanent: true, error: EMAIL_FAILED.tls });
    const untrusted = await startMailServer();
    const u = await smtp(untrusted.port, { ca: undefined }).send(['oncall@example.test'], renderEmail(notification()));
    assert.deepEqual(u, { delivered: false, permanent: true, error: EMAIL_FAILED.tls });
    assert.equal(plain.delivered.length + untrusted.delivered.length, 0);
  });

  it('a refused mailbox (5xx) is permanent, a temporary refusal (4xx) and an unreachable server are not', async () => {
    const server = await startMailServer();
    assert.deepEqual(await smtp(server.port).send(['someone@gone.test'], renderEmail(notification())), {
      delivered: false,
      permanent: true,
      error: EMAIL_FAILED.rejected,
    });
    assert.deepEqual(await smtp(server.port).send(['someone@busy.test'], renderEmail(notification())), {
      delivered: false,
      permanent: false,
      error: EMAIL_FAILED.rejected,
    });
    const gone = await startMailServer();
    await gone.close();
    running.splice(running.indexOf(gone), 1);
    assert.deepEqual(await smtp(gone.port).send(['oncall@example.test'], renderEmail(notification())), {
      delivered: false,
      permanent: false,
      error: EMAIL_FAILED.unreachable,
    });
  });

  it("a rule's own notification and a channel's test message go out through the same channel delivery", async () => {
    const server = await startMailServer();
    const senders = { http: undefined as never, smtp: smtp(server.port), consoleUrl: 'https://tf.test' };
    const target = { type: 'email' as const, name: 'ops', to: ['oncall@example.test'] };
    const own = {
      kind: 'firing' as const,
      ruleId: 'r-1',
      ruleName: 'worker errors',
      severity: 'critical' as const,
      groupKey: 'service=worker',
      labels: { alertname: 'worker errors', service: 'worker', severity: 'critical' },
      annotations: { summary: '3 errors' },
      value: 3,
      startsAt: '2024-05-06T10:00:00.000Z',
      endsAt: null,
      fingerprint: 'f',
      url: 'https://tf.test/alerts?rule=r-1',
      excerpt: ['2024-05-06 09:59:58.000000000 ERROR job 17 failed: disk full'],
    };
    assert.equal((await deliverToChannel(senders, target, own, T0)).delivered, true);
    const test = { ...own, kind: 'test' as const, annotations: { summary: 'A test message for the "ops" channel.' } };
    assert.equal((await deliverToChannel(senders, target, test, T0)).delivered, true);
    const [alert, probe] = server.delivered;
    assert.equal(alert!.mail.subject, '[FIRING:1] worker errors (worker critical)');
    assert.ok(
      (alert!.mail.text ?? '').includes('Excerpt:\n   2024-05-06 09:59:58.000000000 ERROR job 17 failed: disk full'),
    );
    assert.ok((alert!.mail.text ?? '').includes('View in TelemetryFlow: https://tf.test'));
    assert.equal(probe!.mail.subject, 'TelemetryFlow test notification');
    assert.equal(probe!.mail.text?.trim(), 'A test message for the "ops" channel.');
  });
});
