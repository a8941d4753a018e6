import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { SavedSearchSignal } from '@telemetryflow/contract';

/** A named search of one signal: its filters (query keys as the search route takes them) and a relative range. */
@Entity({ name: 'saved_searches' })
export class SavedSearchEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  signal!: SavedSearchSignal;

  /** Unique per tenant and signal. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb' })
  filters!: Record<string, string>;

  /** `15m`, `6h`, `7d`: back from the moment it is applied. */
  @Column({ type: 'text' })
  range!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** `user:<id>` or `key:<id>` of whoever saved it. */
  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;
}
