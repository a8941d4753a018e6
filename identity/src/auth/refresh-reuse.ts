/** What a refresh token's state allows when it is presented. */
export type RefreshStep = 'rotate' | 'grace' | 'reused' | 'revoked' | 'expired';

/** A stored refresh token, as far as the rule needs it. */
export interface PresentedToken {
  usedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
  /** Its place in the family's chain: a login's first token is 0, each rotation adds one. */
  generation: number;
}

/**
 * The rule for a presented refresh token. An unused one rotates. A used one presented again
 * is taken for theft (`reused`: the caller revokes the whole login), unless it was used less
 * than `graceMs` ago and the chain has not moved on since (the family's newest generation is
 * still the one its use created): then the client most likely lost the answer (a page load
 * cancelled the request, two tabs refreshed at once) and `grace` issues it another successor.
 * `familyHead` is the family's highest generation.
 */
export function refreshStep(token: PresentedToken, familyHead: number, now: Date, graceMs: number): RefreshStep {
  if (token.revokedAt !== null) return 'revoked';
  if (token.usedAt !== null) {
    // Replicas' clocks differ a little: a use "in the future" counts as just now.
    const sinceUse = Math.abs(now.getTime() - token.usedAt.getTime());
    return sinceUse < graceMs && familyHead === token.generation + 1 ? 'grace' : 'reused';
  }
  return token.expiresAt.getTime() <= now.getTime() ? 'expired' : 'rotate';
}
