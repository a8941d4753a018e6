// The control-plane database is shared by identity, dashboards and alerting: composed at the
// app root, their migrations must keep the names and order existing databases recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openControlPlane } from '@telemetryflow/identity';
import { createTestDatabase, tempDir, type TestDatabase } from '@telemetryflow/identity/test-helpers';
import { CONTROL_PLANE_FEATURES } from '../src/control-plane-features.js';

let db: TestDatabase;
const dir = tempDir('tf-cp-features-');
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
  dir.remove();
});

test('every migration of the composed features runs once, in the order and under the names of before the split', async () => {
  const cp = await openControlPlane({
    databaseUrl: db.url,
    dataDir: dir.path,
    bootstrap: {},
    features: CONTROL_PLANE_FEATURES,
  });
  try {
    const rows: { name: string }[] = await cp.dataSource.query('SELECT name FROM typeorm_migrations ORDER BY id');
    assert.deepEqual(
      rows.map((r) => r.name),
      [
        'ControlPlaneInitial1732540800000',
        'RetentionPolicies1764086400000',
        'Identity1764200000000',
        'Dashboards1764300000000',
        'Alerting1764400000000',
        'Invitations1764500000000',
        'Sessions1765000000000',
        'Monitors1765150000000',
        'NotificationPolicies1765200000000',
        'TeamsOpsgenieChannels1765250000000',
        'SsoSettings1765400000000',
        'MfaLockout1765800000000',
        'AuditOutbox1765900000000',
        'TenantQuotas1765950000000',
        'DataJobs1765980000000',
        'SavedSearches1766000000000',
        'RefreshTokenGenerations1766100000000',
      ],
    );
    // The bootstrap tenant got its built-in dashboards through the tenant-created hook.
    const [{ n }] = await cp.dataSource.query(
      `SELECT count(*)::int AS n FROM dashboards WHERE tenant_id = 'default' AND built_in IS NOT NULL`,
    );
    assert.ok(n > 0, 'built-in dashboards of the bootstrap tenant');
  } finally {
    await cp.close();
  }
});
