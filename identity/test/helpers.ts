// Test fixtures against real services: a throwaway Postgres database per test file, and
// temporary data directories.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TokenPair } from '@telemetryflow/contract';
import type { ControlPlane } from '../src/index.js';

export const ADMIN_URL = process.env.TF_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tf_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Signs in a user who has no further step (no second factor, no password to change): the tokens. */
export async function passwordLogin(
  cp: ControlPlane,
  email: string,
  password: string,
  client: { address?: string; userAgent?: string } = {},
): Promise<TokenPair> {
  const result = await cp.signIn.password(email, password, client);
  if ('step' in result) throw new Error(`sign-in of ${email} needs step ${result.step}`);
  return result;
}
