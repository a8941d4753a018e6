import { ApiError, type Caller } from '@telemetryflow/http-kit';

/** The signed-in user of a request; API keys have no sessions, password or second factors. */
export function signedInUser(caller: Caller): { userId: string; sessionId: string | undefined } {
  if (caller.kind !== 'user' || caller.userId === undefined)
    throw new ApiError(
      403,
      'not_a_user',
      'only a signed-in user has sessions, a password and second factors; this is an API key',
    );
  return { userId: caller.userId, sessionId: caller.sessionId };
}
