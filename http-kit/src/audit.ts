import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import {
  applyDecorators,
  HttpException,
  Inject,
  Injectable,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { catchError, concatMap, from, type Observable } from 'rxjs';
import type { CallerRequest } from './access.js';
import { ApiError } from './api-error.js';
import { AUDIT_SINK } from './tokens.js';

export type AuditOutcome = 'success' | 'denied' | 'error';

/** One state-changing call or sign-in event, as the API saw it (before the store adds ids and hashes). */
export interface AuditEventInput {
  /** '' when the call carried no credential that names a tenant (the sink may find the user's tenants). */
  tenantId: string;
  actor: {
    type: 'user' | 'apiKey' | 'system' | 'anonymous';
    /** User or key id; '' when unknown. */
    id: string;
    /** The e-mail address a sign-in named, when there is no credential yet. */
    email?: string;
    /** The caller's e-mail address or key prefix, as its credential named it (`Caller.label`). */
    label?: string;
    /** SHA-256 (hex) of the challenge token a later sign-in step sent: the store knows its user. */
    challengeTokenHash?: string;
  };
  clientAddress: string;
  userAgent: string;
  /** `dashboard.update`, `auth.login`. */
  action: string;
  resource: { type: string; id: string; name: string };
  outcome: AuditOutcome;
  status: number;
  requestId: string;
  /** The resource before and after the change, secrets redacted (JSON); null when unknown. */
  before: unknown;
  after: unknown;
}

/** Where audit events go: durable once `record` resolves. */
export interface AuditSink {
  record(event: AuditEventInput): Promise<void>;
}

const AUDIT_KEY = 'tf:audit';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const AUDIT_ANSWER_KEY = 'tf:auditAnswer';

/**
 * Names a route's audit action explicitly (`@Audit('auth.login')`), and audits it even when it
 * is a GET (the SSO callback signs a user in). `{ answer: false }`: the answer is not the
 * resource's after-state (an export of data: the event says it happened, not what it held).
 */
export const Audit = (action: string, opts: { answer?: false } = {}) =>
  opts.answer === false
    ? applyDecorators(SetMetadata(AUDIT_KEY, action), SetMetadata(AUDIT_ANSWER_KEY, false))
    : SetMetadata(AUDIT_KEY, action);

/** Singular resource type of a collection segment: `dashboards` → `dashboard`, `api-keys` → `apiKey`. */
function resourceTypeOf(segment: string): string {
  const camel = segment.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  if (camel.endsWith('ies')) return camel.slice(0, -3) + 'y';
  if (camel.endsWith('sses')) return camel.slice(0, -2);
  if (/(ch|sh|x)es$/.test(camel)) return camel.slice(0, -2);
  return camel.endsWith('s') && !camel.endsWith('ss') ? camel.slice(0, -1) : camel;
}

/**
 * A POST that changes nothing (a query sent as a form, a preview, a heartbeat ping): no audit
 * event unless a guard refuses it.
 */
export const NotAudited = () => SetMetadata(AUDIT_KEY, false);

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };

/**
 * Action and resource of a call from its route pattern (`/api/v1/dashboards/:id`) and path
 * parameters: the last collection names the resource, a trailing word the verb
 * (`/alert-rules/:id/test` → `alertRule.test`), else the method.
 */
export function auditTarget(
  method: string,
  routePattern: string,
  params: Record<string, string | undefined>,
): { action: string; type: string; id: string } {
  const segments = routePattern
    .split('?')[0]!
    .split('/')
    .filter((s) => s !== '' && s !== 'api' && !/^v\d+$/.test(s));
  // Sign-in steps: `auth/login` → `auth.login`, `auth/mfa/totp/enrol` → `auth.mfa_totp_enrol`.
  if (segments[0] === 'auth' && segments.length > 1 && !segments.some((s) => s.startsWith(':')))
    return { action: `auth.${segments.slice(1).join('_').replace(/-/g, '_')}`, type: 'session', id: '' };
  let type = 'request';
  let id = '';
  let verb: string | undefined;
  segments.forEach((s, i) => {
    if (s.startsWith(':')) id = params[s.slice(1)] ?? '';
    // A trailing word after an id is the verb (`/sessions/:id/revoke`); otherwise a collection.
    else if (i === segments.length - 1 && i > 0 && segments[i - 1]!.startsWith(':')) verb = s;
    else {
      type = resourceTypeOf(s);
      id = '';
    }
  });
  return { action: `${type}.${(verb ?? VERBS[method] ?? method.toLowerCase()).replace(/-/g, '_')}`, type, id };
}

const SECRET_KEY = /secret|password|token|key|routingkey|credential|authorization|cookie/i;
const URL_WITH_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i;

/** A copy of `value` with secrets replaced by `"[redacted]"` and credentials removed from URLs. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 20) return '[truncated]';
  if (typeof value === 'string') return value.replace(URL_WITH_CREDENTIALS, '$1[redacted]@');
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  // A header or variable as `{ name: 'Authorization', value }`: the name says what the value is.
  const named = (value as { name?: unknown }).name;
  const secretValue = typeof named === 'string' && SECRET_KEY.test(named);
  for (const [k, v] of Object.entries(value)) {
    if (secretValue && k === 'value' && v !== '' && v !== null && v !== undefined) {
      out[k] = '[redacted]';
      continue;
    }
    // Ids of keys and prefixes identify, they do not authenticate.
    const secret = SECRET_KEY.test(k) && !/^(keyId|prefix|keyPrefix|apiKeyId|key_prefix)$/i.test(k);
    out[k] = secret && v !== null && v !== undefined && v !== '' ? '[redacted]' : redactSecrets(v, depth + 1);
  }
  return out;
}

/** The HTTP status an error thrown by a handler or guard answers with. */
export function statusOfError(err: unknown): number {
  if (err instanceof ApiError) return err.status;
  if (err instanceof HttpException) return err.getStatus();
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}

export function outcomeOf(status: number): AuditOutcome {
  if (status === 401 || status === 403 || status === 429) return 'denied';
  return status < 400 ? 'success' : 'error';
}

export interface AuditedRequest extends CallerRequest {
  id?: unknown;
  method: string;
  ip?: string;
  body?: unknown;
  routeOptions?: { url?: string };
  url: string;
  raw?: object;
}

const AUDITED = Symbol('tfAudited');

const auditState = new AsyncLocalStorage<{ before?: unknown }>();

/**
 * Tells the audit event of the current request what the resource was before the change (a
 * service that read it anyway calls this; redacted like the rest). No-op outside a request.
 */
export function auditBefore(value: unknown): void {
  const state = auditState.getStore();
  if (state && state.before === undefined) state.before = value;
}

/** The audit event of a request that ends with `status`. */
export function auditEventOf(
  req: AuditedRequest,
  status: number,
  action: string | undefined,
  answer: unknown,
): AuditEventInput {
  const pattern = req.routeOptions?.url ?? req.url.split('?')[0]!;
  // Answers are `{ data }`: the resource is inside.
  if (typeof answer === 'object' && answer !== null && 'data' in answer) answer = (answer as { data: unknown }).data;
  const after = answer;
  const target = auditTarget(req.method, pattern, req.params ?? {});
  const caller = req.caller;
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const signedIn = (after as { user?: { id?: unknown; email?: unknown } } | undefined)?.user;
  const email =
    typeof signedIn?.email === 'string' ? signedIn.email : typeof body.email === 'string' ? body.email : undefined;
  const actor: AuditEventInput['actor'] = caller
    ? {
        type: caller.kind === 'key' ? 'apiKey' : 'user',
        id: (caller.kind === 'key' ? caller.keyId : caller.userId) ?? '',
        ...(caller.label !== undefined ? { label: caller.label } : {}),
      }
    : signInActor(body, after, email);
  const named = (after as { name?: unknown; title?: unknown } | undefined) ?? {};
  const resourceId =
    target.id !== ''
      ? target.id
      : typeof (after as { id?: unknown } | undefined)?.id === 'string'
        ? (after as { id: string }).id
        : '';
  const name =
    typeof named.name === 'string'
      ? named.name
      : typeof named.title === 'string'
        ? named.title
        : (body.name ?? body.title);
  const agent = req.headers['user-agent'];
  return {
    tenantId: caller?.tenantId ?? '',
    actor,
    clientAddress: req.ip ?? '',
    userAgent: typeof agent === 'string' ? agent.slice(0, 512) : '',
    action: action ?? target.action,
    resource: { type: target.type, id: resourceId, name: typeof name === 'string' ? name.slice(0, 256) : '' },
    outcome: outcomeOf(status),
    status,
    requestId: String(req.id ?? ''),
    before: null,
    after: after === undefined || status >= 400 ? null : redactSecrets(after),
  };
}

/**
 * Who a sign-in step is about, without a credential: the user of the access token it just
 * issued, the e-mail address it named, or the user of the challenge token it sent.
 */
function signInActor(
  body: Record<string, unknown>,
  answer: unknown,
  email: string | undefined,
): AuditEventInput['actor'] {
  const issued = (answer as { accessToken?: unknown } | undefined)?.accessToken;
  const sub = typeof issued === 'string' ? jwtSubject(issued) : undefined;
  if (sub !== undefined) return { type: 'user', id: sub };
  if (email !== undefined) return { type: 'user', id: '', email };
  const challenge = body.challengeToken;
  if (typeof challenge === 'string' && challenge !== '' && challenge.length <= 512)
    return { type: 'user', id: '', challengeTokenHash: createHash('sha256').update(challenge).digest('hex') };
  return { type: 'anonymous', id: '' };
}

/** The `sub` claim of a JWT this server just issued (read, not verified: it never left the process). */
function jwtSubject(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' && /^[0-9a-f-]{36}$/.test(sub) ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the exception filter still has to record this request (no interceptor saw it). */
export function needsAuditFromFilter(req: AuditedRequest): boolean {
  return MUTATING.has(req.method) && !(req as unknown as Record<symbol, unknown>)[AUDITED];
}

/**
 * Records every state-changing call (and `@Audit` routes) before its answer leaves: a 2xx
 * only once the event is durable in the sink; an error with its status, then rethrown.
 * Calls refused by a guard never reach an interceptor: the exception filter records those.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    @Inject(AUDIT_SINK) private readonly sink: AuditSink,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<AuditedRequest>();
    const declared = this.reflector.getAllAndOverride<string | false | undefined>(AUDIT_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (declared === undefined && !MUTATING.has(req.method)) return next.handle();
    // Past the guards: from here on this interceptor alone decides (a refused body of a
    // @NotAudited route is not recorded by the filter either).
    (req as unknown as Record<symbol, unknown>)[AUDITED] = true;
    if (declared === false) return next.handle();
    const action = declared;
    const keepAnswer = this.reflector.get<false | undefined>(AUDIT_ANSWER_KEY, ctx.getHandler()) !== false;
    // Nest sets the status after interceptors: the route's declared one, else 201 for POST.
    const httpCode = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, ctx.getHandler());
    const status = httpCode ?? (req.method === 'POST' ? 201 : 200);
    // The handler runs inside this request's state, where a service may leave `auditBefore`.
    const state: { before?: unknown } = {};
    const event = (status: number, value: unknown): AuditEventInput => {
      const e = auditEventOf(req, status, action, value);
      return state.before === undefined ? e : { ...e, before: redactSecrets(state.before) };
    };
    return auditState
      .run(state, () => next.handle())
      .pipe(
        concatMap((value: unknown) =>
          from(this.sink.record(event(status, keepAnswer ? value : undefined)).then(() => value)),
        ),
        catchError((err: unknown) =>
          from(
            this.sink.record(event(statusOfError(err), undefined)).then(() => {
              throw err;
            }),
          ),
        ),
      );
  }
}
