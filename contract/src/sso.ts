// OIDC single sign-on DTOs (`/api/v1/sso`, `/api/v1/auth/oidc/...`): the API validates with these
// schemas and the console imports the same types.
import { z } from 'zod';
import { RoleSchema } from './identity.js';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The tenant's OIDC settings as an admin writes them; `clientSecret` may be left out to keep the stored one. */
export const SsoSettingsRequestSchema = z
  .object({
    /** The issuer identifier: its `/.well-known/openid-configuration` is fetched and checked on save. */
    issuer: z.url({ protocol: /^https?$/ }).max(2048),
    clientId: z.string().trim().min(1).max(512),
    /** Write-only; omitted, the stored secret stays (a first save needs one). */
    clientSecret: z.string().min(1).max(4096).optional(),
    /** Space-separated in the authorization request; `openid` is always asked for. */
    scopes: z
      .array(
        z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'a scope is printable ASCII without spaces or quotes'),
      )
      .max(32)
      .default(['openid', 'email', 'profile']),
    /** E-mail domains whose users may sign in (lower-case, e.g. `example.com`); empty: any domain. */
    allowedEmailDomains: z
      .array(z.string().trim().toLowerCase().regex(DOMAIN, 'a domain such as example.com'))
      .max(100)
      .default([]),
    /** The ID token claim whose values map to roles (e.g. `groups`); null: everyone gets `defaultRole`. */
    roleClaim: z.string().trim().min(1).max(256).nullable().default(null),
    /** Claim value → role; a user with several mapped values gets the strongest role. */
    roleMapping: z
      .array(z.object({ value: z.string().min(1).max(512), role: RoleSchema }))
      .max(200)
      .default([]),
    /** The role of a user no mapped value matches; null: such users are refused. */
    defaultRole: RoleSchema.nullable().default(null),
    /** Whether a user of an allowed domain who is not a member yet becomes one at sign-in. */
    jitMembership: z.boolean().default(false),
    /** Password sign-in refused for the tenant's members, except the break-glass owner. */
    ssoRequired: z.boolean().default(false),
    /** The one owner who may still sign in with a password while SSO is required. */
    breakGlassUserId: z.uuid().nullable().default(null),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.ssoRequired && s.breakGlassUserId === null)
      ctx.addIssue({
        code: 'custom',
        path: ['breakGlassUserId'],
        message: 'SSO required needs a break-glass owner who can still sign in with a password',
      });
    const seen = new Set<string>();
    for (const [i, m] of s.roleMapping.entries()) {
      if (seen.has(m.value))
        ctx.addIssue({ code: 'custom', path: ['roleMapping', i, 'value'], message: `${m.value} is mapped twice` });
      seen.add(m.value);
    }
    if (s.roleMapping.length > 0 && s.roleClaim === null)
      ctx.addIssue({ code: 'custom', path: ['roleClaim'], message: 'a role mapping needs the claim it reads' });
  });
export type SsoSettingsRequest = z.input<typeof SsoSettingsRequestSchema>;

/** The tenant's OIDC settings as the API answers them: the secret never leaves the server. */
export const SsoSettingsSchema = z.object({
  issuer: z.string(),
  clientId: z.string(),
  clientSecretSet: z.boolean(),
  scopes: z.array(z.string()),
  allowedEmailDomains: z.array(z.string()),
  roleClaim: z.string().nullable(),
  roleMapping: z.array(z.object({ value: z.string(), role: RoleSchema })),
  defaultRole: RoleSchema.nullable(),
  jitMembership: z.boolean(),
  ssoRequired: z.boolean(),
  breakGlassUserId: z.string().nullable(),
  /** The redirect URI to register at the identity provider. */
  redirectUri: z.string(),
  updatedAt: z.string(),
});
export type SsoSettingsDto = z.infer<typeof SsoSettingsSchema>;

/** Whether a tenant signs in with SSO (public: the sign-in page asks before anyone is signed in). */
export const SsoAvailabilitySchema = z.object({ enabled: z.boolean() });
export type SsoAvailabilityDto = z.infer<typeof SsoAvailabilitySchema>;

/** Error codes an SSO sign-in hands back to the console's sign-in page (`?sso_error=`). */
export const SSO_ERRORS = {
  sso_unavailable: 'single sign-on is not set up for this tenant',
  sso_state: 'the sign-in took too long or was started in another browser; try again',
  sso_provider: 'the identity provider refused the sign-in',
  sso_token: 'the identity provider’s answer could not be verified',
  sso_email: 'the identity provider gave no verified e-mail address',
  sso_domain: 'your e-mail domain may not sign in to this tenant',
  sso_not_member: 'you are not a member of this tenant; ask an admin to invite you',
  sso_no_role: 'none of your groups gives a role in this tenant',
  sso_other_tenants: 'your account belongs to other tenants too: sign in with your password',
  sso_failed: 'single sign-on failed; try again later',
} as const;
export type SsoErrorCode = keyof typeof SSO_ERRORS;
