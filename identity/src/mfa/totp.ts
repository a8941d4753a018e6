import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

export const TOTP_ISSUER = 'TelemetryFlow';
/** A code of the previous or the next 30-second step is accepted too (clock drift). */
const TOLERANCE_SECONDS = 30;

export const newTotpSecret = (): string => generateSecret();

export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

export function qrCodeDataUrl(text: string): Promise<string> {
  return QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
}

/**
 * The time step a code belongs to, or null when it is wrong, or of a step not after
 * `afterStep` (the last one used: a code is accepted once).
 */
export async function totpStep(
  secret: string,
  code: string,
  afterStep: number | null,
  nowMs: number,
): Promise<number | null> {
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  // TOTP results carry their time step (otplib types the result as TOTP's or HOTP's).
  return result.valid && 'timeStep' in result ? (result.timeStep as number) : null;
}
