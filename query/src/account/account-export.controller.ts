import { Controller, Get, Inject } from '@nestjs/common';
import type { AccountExportDto, ApiSuccess } from '@telemetryflow/contract';
import { ApiRoute, Audit, Authenticated, CurrentCaller, ApiError, type Caller } from '@telemetryflow/http-kit';
import { AccountService } from '@telemetryflow/identity';
import { AuditEventsRepository } from '../audit/audit-events.repository.js';
import { auditEventDto } from '../audit/audit-events.controller.js';

/** At most this many of the user's audit events go into the export (newest first). */
export const ACCOUNT_EXPORT_AUDIT_EVENTS = 10_000;

/** The signed-in user's own data: the account as identity keeps it, and the audit events they caused. */
@Controller('api/v1/me')
@Authenticated()
export class AccountExportController {
  constructor(
    @Inject(AccountService) private readonly account: AccountService,
    @Inject(AuditEventsRepository) private readonly events: AuditEventsRepository,
  ) {}

  @Get('export')
  @Audit('account.export', { answer: false })
  @ApiRoute({
    summary: `Everything kept about the calling user: profile, memberships and roles, sessions, API keys they created (prefixes only), second factors (kinds and dates), single sign-on per tenant, and their audit events as actor (newest ${ACCOUNT_EXPORT_AUDIT_EVENTS}, in every tenant)`,
    tags: ['me'],
  })
  async export(@CurrentCaller() caller: Caller): Promise<ApiSuccess<AccountExportDto>> {
    if (caller.kind !== 'user' || caller.userId === undefined)
      throw new ApiError(403, 'not_a_user', 'only a signed-in user has an account to export; this is an API key');
    const data = await this.account.export(caller.userId);
    const events = await this.events.byUser(caller.userId, data.user.email, ACCOUNT_EXPORT_AUDIT_EVENTS + 1);
    return {
      data: {
        ...data,
        auditEvents: events.slice(0, ACCOUNT_EXPORT_AUDIT_EVENTS).map(auditEventDto),
        auditEventsLimit: ACCOUNT_EXPORT_AUDIT_EVENTS,
        auditEventsTruncated: events.length > ACCOUNT_EXPORT_AUDIT_EVENTS,
      },
    };
  }
}
