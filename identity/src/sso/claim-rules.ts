import { MEMBER_ROLES, type Role } from '@telemetryflow/contract';

export interface RoleRules {
  roleClaim: string | null;
  roleMapping: readonly { value: string; role: Role }[];
  defaultRole: Role | null;
}

/**
 * The values of a claim: a string, or the strings of an array. A dotted name that is not a
 * top-level claim walks nested objects (Keycloak's `realm_access.roles`).
 */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  let value: unknown = claims[name];
  if (value === undefined && name.includes('.')) {
    value = claims;
    for (const part of name.split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
  }
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The role a sign-in gives: the strongest role any of the claim's values maps to, else the
 * default role; null when neither (the sign-in is refused).
 */
export function mappedRole(claims: Record<string, unknown>, rules: RoleRules): Role | null {
  let best = -1;
  if (rules.roleClaim !== null) {
    const values = new Set(claimValues(claims, rules.roleClaim));
    for (const m of rules.roleMapping) {
      if (values.has(m.value)) best = Math.max(best, MEMBER_ROLES.indexOf(m.role));
    }
  }
  return best >= 0 ? MEMBER_ROLES[best]! : rules.defaultRole;
}

/** The verified e-mail of the ID token, lower-cased; null without one or when the provider says it is unverified. */
export function verifiedEmail(claims: Record<string, unknown>): string | null {
  const email = claims.email;
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) return null;
  // Entra ID sends no email_verified at all; a provider that says false is believed.
  if (claims.email_verified === false || claims.email_verified === 'false') return null;
  return email.trim().toLowerCase();
}

/** Whether the e-mail's domain is one of `domains` (exactly; no subdomains); any domain when the list is empty. */
export function emailDomainAllowed(email: string, domains: readonly string[]): boolean {
  if (domains.length === 0) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return domains.includes(domain);
}
