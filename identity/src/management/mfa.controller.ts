import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  MfaStatusSchema,
  PasswordConfirmationSchema,
  PasskeyRegisteredSchema,
  RecoveryCodesSchema,
  RegisterPasskeyRequestSchema,
  TotpCodeRequestSchema,
  TotpEnrolmentSchema,
  WebAuthnOptionsSchema,
  type ApiSuccess,
  type MfaStatusDto,
  type PasswordConfirmation,
  type PasskeyRegisteredDto,
  type RecoveryCodesDto,
  type RegisterPasskeyRequest,
  type TotpCodeRequest,
  type TotpEnrolmentDto,
  type WebAuthnOptionsDto,
} from '@telemetryflow/contract';
import {
  ApiError,
  ApiRoute,
  Authenticated,
  CurrentCaller,
  notFound,
  RateLimit,
  ValidBody,
  type Caller,
} from '@telemetryflow/http-kit';
import { verifyUserPassword } from '../control-plane/accounts.js';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { CONTROL_PLANE } from '../tokens.js';
import { objectId } from './object-id.js';
import { signedInUser } from './signed-in-user.js';

/** The caller's second factors: TOTP, recovery codes, passkeys. */
@Controller('api/v1/me/mfa')
@Authenticated()
export class MyMfaController {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  @Get()
  @ApiRoute({
    summary:
      "The caller's second factors: TOTP on or off, recovery codes left, passkeys; and whether a tenant of theirs requires MFA",
    response: MfaStatusSchema,
    tags: ['me'],
  })
  async status(@CurrentCaller() caller: Caller): Promise<ApiSuccess<MfaStatusDto>> {
    return { data: await this.controlPlane.factors.status(signedInUser(caller).userId) };
  }

  @Post('totp')
  @HttpCode(200)
  @ApiRoute({
    summary:
      'Start a TOTP enrolment: a new secret (encrypted at rest) as an otpauth URI and its QR code; TOTP is on only once confirmed with a code (POST /api/v1/me/mfa/totp/confirm)',
    response: TotpEnrolmentSchema,
    status: 200,
    tags: ['me'],
  })
  async startTotp(@CurrentCaller() caller: Caller): Promise<ApiSuccess<TotpEnrolmentDto>> {
    const { userId } = signedInUser(caller);
    return { data: await this.controlPlane.factors.startTotp(userId, await this.email(userId)) };
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      "Turn TOTP on with a code of the new secret; ten one-time recovery codes when it is the caller's first factor (shown this once), else none",
    body: TotpCodeRequestSchema,
    response: RecoveryCodesSchema,
    status: 200,
    tags: ['me'],
  })
  async confirmTotp(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: TotpCodeRequest,
  ): Promise<ApiSuccess<RecoveryCodesDto>> {
    return {
      data: { recoveryCodes: await this.controlPlane.factors.confirmTotp(signedInUser(caller).userId, body.code) },
    };
  }

  @Delete('totp')
  @HttpCode(204)
  @RateLimit('login')
  @ApiRoute({
    summary:
      'Turn TOTP off; the body carries the password (a stolen session alone cannot remove a factor). Recovery codes go too when no passkey is left',
    body: PasswordConfirmationSchema,
    status: 204,
    tags: ['me'],
  })
  async removeTotp(@CurrentCaller() caller: Caller, @ValidBody() body: PasswordConfirmation): Promise<void> {
    const { userId } = signedInUser(caller);
    await this.confirmPassword(userId, body.password);
    if (!(await this.controlPlane.factors.removeTotp(userId))) throw notFound('TOTP is off');
  }

  @Post('recovery-codes')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      'Ten new one-time recovery codes (shown this once); the previous ones stop working. The body carries the password',
    body: PasswordConfirmationSchema,
    response: RecoveryCodesSchema,
    status: 200,
    tags: ['me'],
  })
  async regenerate(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: PasswordConfirmation,
  ): Promise<ApiSuccess<RecoveryCodesDto>> {
    const { userId } = signedInUser(caller);
    await this.confirmPassword(userId, body.password);
    return { data: { recoveryCodes: await this.controlPlane.factors.regenerateRecoveryCodes(userId) } };
  }

  @Post('passkeys/options')
  @HttpCode(200)
  @ApiRoute({
    summary:
      "WebAuthn registration options for a new passkey (the challenge is kept server-side for 5 minutes, one per user; the caller's passkeys are excluded)",
    response: WebAuthnOptionsSchema,
    status: 200,
    tags: ['me'],
  })
  async passkeyOptions(@CurrentCaller() caller: Caller): Promise<ApiSuccess<WebAuthnOptionsDto>> {
    const { userId } = signedInUser(caller);
    const factors = this.controlPlane.factors;
    return {
      data: await factors.passkeys.registrationOptions(
        userId,
        await this.email(userId),
        await factors.credentials(userId),
      ),
    };
  }

  @Post('passkeys')
  @ApiRoute({
    summary:
      "Register a passkey: the authenticator's answer to the options' challenge, verified against the console's origin; recovery codes when it is the caller's first factor",
    body: RegisterPasskeyRequestSchema,
    response: PasskeyRegisteredSchema,
    status: 201,
    tags: ['me'],
  })
  async registerPasskey(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: RegisterPasskeyRequest,
  ): Promise<ApiSuccess<PasskeyRegisteredDto>> {
    const { userId } = signedInUser(caller);
    const factors = this.controlPlane.factors;
    const credential = await factors.passkeys.verifyRegistration(userId, body.response);
    return { data: await factors.addPasskey(userId, body.name, credential) };
  }

  @Delete('passkeys/:id')
  @HttpCode(204)
  @RateLimit('login')
  @ApiRoute({
    summary: "Remove one of the caller's passkeys; the body carries the password",
    body: PasswordConfirmationSchema,
    params: { id: 'passkey id' },
    status: 204,
    tags: ['me'],
  })
  async removePasskey(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @ValidBody() body: PasswordConfirmation,
  ): Promise<void> {
    const { userId } = signedInUser(caller);
    const passkeyId = objectId(id, 'passkey');
    await this.confirmPassword(userId, body.password);
    if (!(await this.controlPlane.factors.removePasskey(userId, passkeyId)))
      throw notFound(`no passkey ${JSON.stringify(id)}`);
  }

  private async confirmPassword(userId: string, password: string): Promise<void> {
    if (!(await verifyUserPassword(this.controlPlane.dataSource, await this.email(userId), password)))
      throw new ApiError(403, 'invalid_credentials', 'the password is wrong');
  }

  private async email(userId: string): Promise<string> {
    const [row] = (await this.controlPlane.dataSource.query(`SELECT email FROM users WHERE id = $1`, [userId])) as {
      email: string;
    }[];
    if (!row) throw notFound('this user no longer exists');
    return row.email;
  }
}
