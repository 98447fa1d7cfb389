import { hash, verify } from '@node-rs/argon2';
import * as OTPAuth from 'otpauth';

// argon2id with the library's defaults (19 MiB, 2 passes): OWASP's recommended minimum.
export const hashPassword = (password: string): Promise<string> => hash(password);

// Compared against when the account does not exist, so a wrong email costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;
const dummy = (): Promise<string> => {
  dummyHash ??= hash('no account has this password');
  return dummyHash;
};

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  try {
    return await verify(stored ?? (await dummy()), password);
  } catch {
    return false;
  }
}

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpFor(secret: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: 'Patron',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** A TOTP code is accepted one step either side of now, for clock drift. */
export function checkTotp(secret: string, code: string): boolean {
  return totpFor(secret, 'check').validate({ token: code, window: 1 }) !== null;
}
