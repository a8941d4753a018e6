import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each refresh token's place in its family's chain (`generation`), so a token presented again
 * can be told "its successor is still unused" (a lost answer, forgiven within the reuse grace)
 * from "the chain moved on" (theft) without comparing clocks (ADR 0026). Existing tokens start
 * at 0: their next rotation counts on from there. Immutable once released: add a new migration instead.
 */
export class RefreshTokenGenerations1766100000000 implements MigrationInterface {
  name = 'RefreshTokenGenerations1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_tokens ADD COLUMN generation integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_tokens DROP COLUMN generation`);
  }
}
