// A real OpenID provider for the SSO tests: npm `oidc-provider` (a certified implementation) on a
// random local port, with one static confidential client and accounts the test controls. Logins
// finish without a form (the account of `signInAs`), and the token endpoint's ID token can be
// re-signed with changed claims or with a key the provider does not publish, so that the
// relying party's own checks (aud, exp, nonce, signature) are what refuse it.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { webcrypto } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface TestAccount {
  email: string;
  emailVerified?: boolean;
  groups: string[];
}

/** How the next ID tokens from the token endpoint are changed (null: as the provider issued them). */
export interface IdTokenTamper {
  claims?: Record<string, unknown>;
  /** `other`: signed with a key of the same `kid` that the provider's JWKS does not hold. */
  signWith: 'provider' | 'other';
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** The account the next login at the provider signs in as. */
  signInAs: string;
  tamper: IdTokenTamper | null;
  /** Every authorization request the provider received (its query parameters). */
  authorizationRequests: URLSearchParams[];
  close(): Promise<void>;
}

export async function startOidcProvider(opts: { redirectUris: string[] }): Promise<TestOidcProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const providerJwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const other = await generateKeyPair('RS256');
  const clientId = 'telemetryflow';
  const clientSecret = randomBytes(24).toString('base64url');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state: TestOidcProvider = {
    issuer,
    clientId,
    clientSecret,
    accounts: new Map(),
    signInAs: '',
    tamper: null,
    authorizationRequests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [providerJwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Consent is given once and for all: the test provider asks nobody.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope('openid email profile groups');
      grant.addOIDCClaims(['email', 'email_verified', 'groups']);
      await grant.save();
      return grant;
    },
    findAccount: (_ctx, id) => {
      const account = state.accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          groups: account.groups,
        }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const handle = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/auth' && req.method === 'GET') state.authorizationRequests.push(url.searchParams);
    if (url.pathname.startsWith('/interaction/')) {
      void (async () => {
        try {
          await provider.interactionDetails(req, res);
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: state.signInAs } },
            {
              mergeWithLastSubmission: false,
            },
          );
        } catch (err) {
          res.writeHead(500).end(String(err));
        }
      })();
      return;
    }
    if (url.pathname === '/token' && state.tamper)
      rewriteIdToken(res, state.tamper, providerJwk, privateKey, other.privateKey);
    handle(req, res);
  });
  return state;
}

/** Re-signs the ID token of the token endpoint's answer as `tamper` says, before it is sent. */
function rewriteIdToken(
  res: ServerResponse,
  tamper: IdTokenTamper,
  jwk: JWK,
  providerKey: webcrypto.CryptoKey,
  otherKey: webcrypto.CryptoKey,
): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    const text = Buffer.isBuffer(chunk) ? chunk.toString('utf8') : typeof chunk === 'string' ? chunk : '';
    const body = text ? (JSON.parse(text) as { id_token?: string }) : {};
    if (!body.id_token) return end(chunk);
    const header = decodeProtectedHeader(body.id_token);
    const claims = { ...decodeJwt(body.id_token), ...tamper.claims };
    void new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, ...(header.typ ? { typ: header.typ } : {}) })
      .sign(tamper.signWith === 'provider' ? providerKey : otherKey)
      .then((idToken) => {
        const out = JSON.stringify({ ...body, id_token: idToken });
        res.setHeader('content-length', Buffer.byteLength(out));
        end(out);
      });
    return res;
  }) as typeof res.end;
}
