// Identity and access DTOs of the query API (`/api/v1/auth`, `/tenants`, `/api-keys`, `/me`):
// the API validates requests with these schemas and the console imports the same types.
import { z } from 'zod';

/** Roles a user holds in a tenant, weakest first. */
export const MEMBER_ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export const RoleSchema = z.enum(MEMBER_ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** What an API key may do. */
export const KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export const ApiKeyScopeSchema = z.enum(KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof ApiKeyScopeSchema>;

export const PermissionSchema = z.enum(['read', 'write', 'admin', 'owner']);

const EmailSchema = z.string().trim().toLowerCase().max(320).pipe(z.email());

export const LoginRequestSchema = z.object({
  email: EmailSchema,
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** A bearer access token (JWT). */
export const AccessTokenSchema = z.object({
  accessToken: z.string(),
  /** Seconds the access token stays valid. */
  expiresIn: z.number().int(),
});
export type AccessToken = z.infer<typeof AccessTokenSchema>;

/** Answer of login, and of a refresh that named its refresh token: the access token and the next refresh token. */
export const TokenPairSchema = AccessTokenSchema.extend({ refreshToken: z.string() });
export type TokenPair = z.infer<typeof TokenPairSchema>;

/**
 * Refresh and logout: the refresh token in the body (API clients), or none, and then the
 * browser's HttpOnly session cookie is used (the console).
 */
export const RefreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(512).optional() });
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;

export const TenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  /** The calling user's role; null for an API key. */
  role: RoleSchema.nullable(),
});
export type TenantDto = z.infer<typeof TenantSchema>;

export const CreateTenantRequestSchema = z.object({ name: z.string().trim().min(1).max(200) });
export type CreateTenantRequest = z.infer<typeof CreateTenantRequestSchema>;

export const MemberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  role: RoleSchema,
  createdAt: z.string(),
});
export type MemberDto = z.infer<typeof MemberSchema>;

export const CreateInvitationRequestSchema = z.object({
  email: EmailSchema,
  role: RoleSchema,
  /**
   * Creates an account with this password when no user has the email; ignored when one has.
   * The answer is the same either way: it never tells whether the address has an account.
   */
  password: z.string().min(12).max(1024).optional(),
});
export type CreateInvitationRequest = z.infer<typeof CreateInvitationRequestSchema>;

/** Who invited: a user (their email) or an API key (its name); null when that user or key is gone. */
export const InviterSchema = z.object({ kind: z.enum(['user', 'key']), name: z.string() }).nullable();

/** A pending invitation as the tenant's admins see it. */
export const InvitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: RoleSchema,
  invitedBy: InviterSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type InvitationDto = z.infer<typeof InvitationSchema>;

/** A pending invitation as its invitee sees it. */
export const ReceivedInvitationSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  tenantName: z.string(),
  role: RoleSchema,
  invitedBy: InviterSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type ReceivedInvitationDto = z.infer<typeof ReceivedInvitationSchema>;

export const UpdateMemberRequestSchema = z.object({ role: RoleSchema });
export type UpdateMemberRequest = z.infer<typeof UpdateMemberRequestSchema>;

export const CreateApiKeyRequestSchema = z.object({
  name: z.string().trim().min(1).max(200),
  scopes: z.array(ApiKeyScopeSchema).min(1).max(KEY_SCOPES.length),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

/** Who created a key: a user (by email) or another key (by name); null when unknown (bootstrap). */
export const CreatorSchema = z.object({ kind: z.enum(['user', 'key']), id: z.string(), name: z.string() }).nullable();

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters of the key; the secret itself is never shown again. */
  prefix: z.string(),
  scopes: z.array(ApiKeyScopeSchema),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  createdBy: CreatorSchema,
});
export type ApiKeyDto = z.infer<typeof ApiKeySchema>;

/** The answer of `POST /api/v1/api-keys`, the only one that carries the secret. */
export const CreatedApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(ApiKeyScopeSchema),
  prefix: z.string(),
  key: z.string(),
});
export type CreatedApiKeyDto = z.infer<typeof CreatedApiKeySchema>;

export const MembershipSummarySchema = z.object({ tenantId: z.string(), tenantName: z.string(), role: RoleSchema });
export type MembershipSummaryDto = z.infer<typeof MembershipSummarySchema>;

export const MeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('user'),
    user: z.object({ id: z.string(), email: z.string(), createdAt: z.string() }),
    memberships: z.array(MembershipSummarySchema),
    /** The tenant of this request (`X-Tenant`, else the first membership); null without memberships. */
    tenantId: z.string().nullable(),
    role: RoleSchema.nullable(),
    permissions: z.array(PermissionSchema),
    /** Administers the whole instance: sets tenants' quotas (`/api/v1/tenants/{id}/quotas`). */
    instanceAdmin: z.boolean(),
  }),
  z.object({
    kind: z.literal('key'),
    keyId: z.string(),
    tenantId: z.string(),
    scopes: z.array(ApiKeyScopeSchema),
    permissions: z.array(PermissionSchema),
  }),
]);
export type MeDto = z.infer<typeof MeSchema>;

/**
 * A sign-in session: one login, its rotating refresh tokens and every access token issued to it.
 * Ending it refuses its access tokens on every replica within 5 s and its refresh token at once.
 */
export const SessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  /** The last refresh, or the last API request (written at most once a minute). */
  lastUsedAt: z.string(),
  /** When its refresh token runs out unless it is refreshed. */
  expiresAt: z.string(),
  /** The client address and User-Agent of the login. */
  clientAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** The session of the access token of this request. */
  current: z.boolean(),
});
export type SessionDto = z.infer<typeof SessionSchema>;

/** How many sessions a revocation ended. */
export const RevokedSessionsSchema = z.object({ revoked: z.number().int() });
export type RevokedSessionsDto = z.infer<typeof RevokedSessionsSchema>;

/** `POST /api/v1/me/password`: the current password proves it is the user; every other session ends. */
export const ChangePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(12).max(1024),
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;

/** `DELETE /api/v1/me`: the password, or nothing right after a sign-in (SSO-only accounts have no password). */
export const DeleteAccountRequestSchema = z.object({ password: z.string().min(1).max(1024).optional() }).strict();
export type DeleteAccountRequest = z.infer<typeof DeleteAccountRequestSchema>;

/** `GET /api/v1/me/export`: what TelemetryFlow keeps about the signed-in user (no secret of any kind). */
export interface AccountExportDto {
  exportedAt: string;
  user: { id: string; email: string; createdAt: string; mustChangePassword: boolean };
  memberships: { tenantId: string; tenantName: string; role: string; since: string }[];
  /** Every sign-in session still on record, ended ones with when and why. */
  sessions: {
    id: string;
    createdAt: string;
    lastUsedAt: string;
    expiresAt: string;
    clientAddress: string | null;
    userAgent: string | null;
    revokedAt: string | null;
    revokedReason: string | null;
  }[];
  /** Keys this user created (the keys belong to their tenants): prefixes only. */
  apiKeys: {
    id: string;
    tenantId: string;
    name: string;
    prefix: string;
    scopes: string[];
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
  }[];
  /** Second factors: kinds and dates, never a secret or a code. */
  mfa: {
    totp: { createdAt: string; confirmedAt: string | null } | null;
    recoveryCodes: { total: number; used: number };
    passkeys: { id: string; name: string; createdAt: string; lastUsedAt: string | null }[];
  };
  /**
   * Single sign-on is by verified e-mail address, per tenant: the tenants of this user's
   * memberships that have it set up, their provider, and whether this user is the break-glass owner.
   */
  ssoIdentities: { tenantId: string; issuer: string; ssoRequired: boolean; breakGlass: boolean }[];
  /** Audit events with this user as actor (newest first, at most `auditEventsLimit`). */
  auditEvents: unknown[];
  auditEventsLimit: number;
  auditEventsTruncated: boolean;
}
