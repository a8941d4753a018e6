import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';

export interface IdentityProviderOptions {
  /** Issuers on plain http (a provider on the same host, tests); https only otherwise. */
  allowHttpIssuers: boolean;
  /** Seconds each request to a provider may take (discovery, JWKS, token). */
  timeoutSeconds: number;
}

export const DEFAULT_IDENTITY_PROVIDER_OPTIONS: IdentityProviderOptions = {
  allowHttpIssuers: false,
  timeoutSeconds: 10,
};

/** Discovered providers are kept this long, with their JWKS (a rotated key is fetched on the first unknown `kid`). */
const CACHE_TTL_MS = 10 * 60_000;
const CACHE_MAX = 500;

export interface ClientRegistration {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Why a provider could not be used: the message names what is wrong, for the admin who set it up. */
export class ProviderError extends Error {}

/**
 * OpenID providers of the tenants: discovery (checked: the issuer it names is the one asked
 * for, an authorization and token endpoint, a JWKS, the code flow with PKCE S256) and the
 * `openid-client` configuration that verifies ID tokens, their signature by the provider's
 * JWKS included. Configurations are cached per issuer, client and secret.
 */
export class IdentityProviders {
  private readonly cache = new Map<string, { config: oidc.Configuration; at: number }>();

  constructor(
    private readonly options: IdentityProviderOptions = DEFAULT_IDENTITY_PROVIDER_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The configuration of a client at a provider, discovered now unless a recent discovery is cached. */
  async configuration(reg: ClientRegistration): Promise<oidc.Configuration> {
    const key = createHash('sha256').update(`${reg.issuer}\0${reg.clientId}\0${reg.clientSecret}`).digest('hex');
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < CACHE_TTL_MS) return hit.config;
    const config = await this.discover(reg);
    this.cache.delete(key);
    this.cache.set(key, { config, at: this.now() });
    if (this.cache.size > CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    return config;
  }

  /** Discovers the provider afresh (settings are being saved): a `ProviderError` says what is wrong. */
  async discover(reg: ClientRegistration): Promise<oidc.Configuration> {
    let issuer: URL;
    try {
      issuer = new URL(reg.issuer);
    } catch {
      throw new ProviderError(`issuer ${JSON.stringify(reg.issuer)} is not a URL`);
    }
    if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && this.options.allowHttpIssuers))
      throw new ProviderError(
        `issuer must be an https URL${this.options.allowHttpIssuers ? ' or http' : ' (TF_SSO_ALLOW_HTTP_ISSUERS allows http)'}`,
      );
    const options: oidc.DiscoveryRequestOptions = {
      timeout: this.options.timeoutSeconds,
      execute: [
        oidc.enableNonRepudiationChecks,
        ...(this.options.allowHttpIssuers ? [oidc.allowInsecureRequests] : []),
      ],
    };
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(issuer, reg.clientId, reg.clientSecret, undefined, options);
    } catch (err) {
      throw new ProviderError(`discovery of ${issuer.href} failed: ${describe(err)}`);
    }
    const meta = config.serverMetadata();
    if (!meta.authorization_endpoint) throw new ProviderError('the provider names no authorization_endpoint');
    if (!meta.token_endpoint) throw new ProviderError('the provider names no token_endpoint');
    if (!meta.jwks_uri) throw new ProviderError('the provider names no jwks_uri (ID token signatures are verified)');
    if (meta.response_types_supported && !meta.response_types_supported.includes('code'))
      throw new ProviderError('the provider does not offer the authorization code flow (response type code)');
    if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256'))
      throw new ProviderError('the provider does not offer PKCE with S256');
    const auth = meta.token_endpoint_auth_methods_supported;
    // The secret goes in the body (client_secret_post) unless the provider takes it only in the header.
    if (auth && !auth.includes('client_secret_post') && auth.includes('client_secret_basic'))
      return oidc.discovery(issuer, reg.clientId, reg.clientSecret, oidc.ClientSecretBasic(reg.clientSecret), options);
    return config;
  }
}

/** A short reason for a failed call to a provider, for logs and admins (never shown to signing-in users). */
export function describe(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError)
    return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (err instanceof oidc.AuthorizationResponseError)
    return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
