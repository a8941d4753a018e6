// The Helm chart renders with its default values and with values-cluster.yaml, every rendered
// object validates against the Kubernetes (and KEDA) JSON schemas, and the objects fit together.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { knownSettings } from './deploy-files.js';
import { renderChart, rendererMissing, type K8sObject } from './helm-render.js';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

// Without a Go toolchain the chart cannot be rendered; CI installs one and must never skip.
const missing = rendererMissing();
if (missing && process.env.CI) throw new Error(`the Helm chart tests need ${missing}`);
const skip = missing ? `cannot render the chart here: ${missing}` : false;

interface Container {
  name: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
  serviceAccountName?: string;
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}
const podTemplate = (o: K8sObject) => (o.spec as { template: PodTemplate }).template;

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, suffix: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name.endsWith(suffix));
  assert.ok(found, `a ${kind} named …${suffix}`);
  return found;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

function validateAll(objects: K8sObject[]): void {
  for (const object of objects) {
    const model = MODELS[`${object.apiVersion}/${object.kind}`];
    assert.ok(model, `no schema for ${object.apiVersion} ${object.kind}: add it to the test`);
    assert.doesNotThrow(() => new model(object as never).validate(), `${object.kind} ${object.metadata.name} is valid`);
  }
  const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.equal(new Set(ids).size, ids.length, 'no two objects share kind and name');
}

/** Properties that hold for any values: references resolve, pods are locked down and probed. */
function checkConsistency(objects: K8sObject[], externalServiceAccount?: string): void {
  const settings = knownSettings();
  const configMaps = new Map(byKind(objects, 'ConfigMap').map((c) => [c.metadata.name, c]));
  const secrets = new Set(byKind(objects, 'Secret').map((s) => s.metadata.name));
  const accounts = new Set(byKind(objects, 'ServiceAccount').map((s) => s.metadata.name));
  for (const cm of configMaps.values()) {
    for (const key of Object.keys(cm.data as object))
      assert.ok(settings.has(key), `ConfigMap ${cm.metadata.name}: ${key} is not a TelemetryFlow setting`);
  }
  for (const secret of byKind(objects, 'Secret')) {
    for (const key of Object.keys(secret.stringData as object))
      assert.ok(settings.has(key), `Secret ${secret.metadata.name}: ${key} is not a TelemetryFlow setting`);
  }
  const existingSecret = (name: string) => !name.startsWith('tf-');

  const workloads = [...byKind(objects, 'Deployment'), ...byKind(objects, 'Job')];
  for (const workload of workloads) {
    const where = `${workload.kind} ${workload.metadata.name}`;
    const pod = podTemplate(workload).spec;
    assert.equal(pod.securityContext?.runAsNonRoot, true, `${where} runs as non-root`);
    assert.ok((pod.securityContext?.runAsUser ?? 0) > 0, `${where} runs as a non-zero uid`);
    assert.ok(
      pod.serviceAccountName &&
        (accounts.has(pod.serviceAccountName) || pod.serviceAccountName === externalServiceAccount),
      `${where}: service account ${pod.serviceAccountName} is rendered`,
    );
    for (const c of pod.containers) {
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${where}: read-only root filesystem`);
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
      const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
      assert.ok(tmp && pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir, `${where}: /tmp is an emptyDir`);
      for (const kind of ['requests', 'limits'] as const) {
        assert.ok(c.resources?.[kind]?.cpu && c.resources[kind].memory, `${where}: cpu and memory ${kind}`);
      }
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef)
          assert.ok(
            configMaps.has(from.configMapRef.name),
            `${where}: ConfigMap ${from.configMapRef.name} is rendered`,
          );
        if (from.secretRef)
          assert.ok(
            secrets.has(from.secretRef.name) || existingSecret(from.secretRef.name),
            `${where}: Secret ${from.secretRef.name}`,
          );
      }
      for (const e of c.env ?? [])
        assert.ok(settings.has(e.name), `${where}: ${e.name} is not a TelemetryFlow setting`);
      const configMap = configMaps.get(c.envFrom?.find((f) => f.configMapRef)?.configMapRef?.name ?? '');
      assert.equal(
        (configMap?.data as Record<string, string> | undefined)?.TF_HOST,
        '0.0.0.0',
        `${where} listens on all interfaces`,
      );
    }
  }

  for (const deployment of byKind(objects, 'Deployment')) {
    const template = podTemplate(deployment);
    const selector = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    assert.ok(
      matches(selector, template.metadata.labels),
      `Deployment ${deployment.metadata.name}'s selector matches its pods`,
    );
    const [container] = template.spec.containers;
    const role = container!.args![0]!;
    const probePort = role === 'query' ? 'http' : 'metrics';
    assert.deepEqual(
      container!.readinessProbe?.httpGet,
      { path: '/ready', port: probePort },
      `${role}: readiness /ready on ${probePort}`,
    );
    assert.deepEqual(
      container!.livenessProbe?.httpGet,
      { path: '/health', port: probePort },
      `${role}: liveness /health on ${probePort}`,
    );
    assert.ok(
      container!.ports?.some((p) => p.name === probePort),
      `${role} declares port ${probePort}`,
    );
    assert.ok(
      container!.ports?.some((p) => p.name === 'metrics' && p.containerPort === 9464),
      `${role} exposes metrics on 9464`,
    );
  }

  const pods = byKind(objects, 'Deployment').map(podTemplate);
  for (const service of byKind(objects, 'Service')) {
    const spec = service.spec as {
      selector: Record<string, string>;
      ports: { name: string; port: number; targetPort: string }[];
    };
    const targets = pods.filter((p) => matches(spec.selector, p.metadata.labels));
    assert.ok(targets.length > 0, `Service ${service.metadata.name} selects pods`);
    for (const port of spec.ports) {
      for (const pod of targets) {
        assert.ok(
          pod.spec.containers.some((c) => c.ports?.some((p) => p.name === port.targetPort)),
          `Service ${service.metadata.name}: target port ${port.targetPort} exists`,
        );
      }
    }
  }
  for (const scaler of [...byKind(objects, 'HorizontalPodAutoscaler'), ...byKind(objects, 'ScaledObject')]) {
    const ref = (scaler.spec as { scaleTargetRef: { name: string; kind?: string } }).scaleTargetRef;
    assert.ok(
      byKind(objects, 'Deployment').some((d) => d.metadata.name === ref.name),
      `${scaler.kind} ${scaler.metadata.name} scales a rendered Deployment`,
    );
  }
  for (const pdb of byKind(objects, 'PodDisruptionBudget')) {
    const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    assert.ok(
      pods.some((p) => matches(selector, p.metadata.labels)),
      `PDB ${pdb.metadata.name} selects pods`,
    );
  }
  for (const ingress of byKind(objects, 'Ingress')) {
    const rules = (
      ingress.spec as {
        rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[];
      }
    ).rules;
    for (const { backend } of rules.flatMap((r) => r.http.paths)) {
      const service = byKind(objects, 'Service').find((s) => s.metadata.name === backend.service.name);
      assert.ok(service, `Ingress backend ${backend.service.name} is a rendered Service`);
      assert.ok(
        (service.spec as { ports: { name: string }[] }).ports.some((p) => p.name === backend.service.port.name),
        `Ingress backend port ${backend.service.port.name}`,
      );
    }
  }

  const job = byKind(objects, 'Job')[0];
  if (job) {
    const annotations = job.metadata.annotations ?? {};
    assert.equal(annotations['helm.sh/hook'], 'pre-install,pre-upgrade');
    assert.deepEqual(podTemplate(job).spec.containers[0]!.args, ['migrate']);
    // What the Job reads must exist before it: hooks of a lower weight, or an existing Secret.
    for (const from of podTemplate(job).spec.containers[0]!.envFrom ?? []) {
      const name = from.configMapRef?.name ?? from.secretRef!.name;
      if (from.secretRef && existingSecret(name)) continue;
      const source = objects.find(
        (o) => o.metadata.name === name && o.kind === (from.configMapRef ? 'ConfigMap' : 'Secret'),
      )!;
      assert.equal(
        source.metadata.annotations?.['helm.sh/hook'],
        'pre-install,pre-upgrade',
        `${source.kind} ${name} is a hook too`,
      );
      assert.ok(
        Number(source.metadata.annotations?.['helm.sh/hook-weight']) < Number(annotations['helm.sh/hook-weight']),
        `${name} is created before the Job`,
      );
    }
  }
}

describe('Helm chart deploy/helm/telemetryflow', { skip }, () => {
  test('default values: valid objects, a Deployment per role, CPU autoscaling for collector and query, no KEDA', () => {
    const { objects, notes } = renderChart();
    validateAll(objects);
    checkConsistency(objects);
    const roles = byKind(objects, 'Deployment')
      .map((d) => podTemplate(d).spec.containers[0]!.args)
      .sort();
    assert.deepEqual(roles, [['alerting'], ['collector'], ['ingest'], ['query']]);
    assert.deepEqual(
      byKind(objects, 'HorizontalPodAutoscaler')
        .map((h) => h.metadata.name)
        .sort(),
      ['tf-telemetryflow-collector', 'tf-telemetryflow-query'],
    );
    for (const hpa of byKind(objects, 'HorizontalPodAutoscaler')) {
      const [metric] = (hpa.spec as { metrics: { resource: { name: string } }[] }).metrics;
      assert.equal(metric!.resource.name, 'cpu');
    }
    assert.equal(byKind(objects, 'ScaledObject').length, 0, 'KEDA is off by default');
    assert.equal(byKind(objects, 'PodDisruptionBudget').length, 4);
    assert.equal((named(objects, 'Deployment', '-alerting').spec as { replicas?: number }).replicas, 2);
    assert.equal(byKind(objects, 'Ingress').length, 0);
    // Autoscaled Deployments leave the replica count to the autoscaler; ingest has a fixed one.
    assert.equal((named(objects, 'Deployment', '-collector').spec as { replicas?: number }).replicas, undefined);
    assert.equal((named(objects, 'Deployment', '-ingest').spec as { replicas?: number }).replicas, 2);

    const collector = named(objects, 'Service', '-collector').spec as {
      ports: { port: number; appProtocol?: string }[];
    };
    assert.equal(collector.ports.find((p) => p.port === 4317)?.appProtocol, 'grpc');
    assert.ok(collector.ports.some((p) => p.port === 4318));
    assert.ok(
      (named(objects, 'Service', '-query').spec as { ports: { port: number }[] }).ports.some((p) => p.port === 8080),
    );

    const secret = named(objects, 'Secret', 'tf-telemetryflow').stringData as Record<string, string>;
    assert.deepEqual(Object.keys(secret).sort(), ['CLICKHOUSE_URL', 'DATABASE_URL', 'NATS_URL']);
    assert.match(notes, /kubectl -n observability logs job\/tf-telemetryflow-migrate/);
  });

  test('values-cluster.yaml: valid objects, KEDA scales the writers on lag, ON CLUSTER and 3 NATS replicas, existing Secret, Ingress', () => {
    const { objects } = renderChart(['values-cluster.yaml']);
    validateAll(objects);
    checkConsistency(objects);
    const scaled = byKind(objects, 'ScaledObject');
    assert.equal(scaled.length, 1);
    const trigger = (scaled[0]!.spec as { triggers: { type: string; metadata: { query: string } }[] }).triggers[0]!;
    assert.equal(trigger.type, 'prometheus');
    assert.match(trigger.metadata.query, /tf_ingest_consumer_pending_messages/);
    assert.equal(
      (named(objects, 'Deployment', '-ingest').spec as { replicas?: number }).replicas,
      undefined,
      'KEDA owns the writer count',
    );
    const config = named(objects, 'ConfigMap', 'tf-telemetryflow').data as Record<string, string>;
    assert.equal(config.TF_CLICKHOUSE_CLUSTER, 'telemetryflow');
    assert.equal(config.TF_NATS_REPLICAS, '3');
    assert.equal(byKind(objects, 'Secret').length, 0, 'existingSecret: the chart creates none');
    for (const workload of [...byKind(objects, 'Deployment'), ...byKind(objects, 'Job')]) {
      assert.ok(
        podTemplate(workload).spec.containers[0]!.envFrom!.some((f) => f.secretRef?.name === 'telemetryflow-db'),
      );
    }
    assert.equal(byKind(objects, 'Ingress').length, 1);
  });

  test('settings reach the ConfigMap or Secret, and changing one rolls the pods (checksum annotation)', () => {
    const base = renderChart();
    const changed = renderChart([
      {
        config: { TF_INGEST_CONSUMERS: '4' },
        secretConfig: { TF_SELF_TRACING_HEADERS: 'authorization=Bearer%20x' },
        collector: { autoscaling: { enabled: false }, replicaCount: 5 },
      },
    ]);
    assert.equal(
      (named(changed.objects, 'Secret', 'tf-telemetryflow').stringData as Record<string, string>)
        .TF_SELF_TRACING_HEADERS,
      'authorization=Bearer%20x',
    );
    assert.equal(
      (named(changed.objects, 'ConfigMap', 'tf-telemetryflow').data as Record<string, string>).TF_INGEST_CONSUMERS,
      '4',
    );
    assert.equal((named(changed.objects, 'Deployment', '-collector').spec as { replicas?: number }).replicas, 5);
    assert.equal(byKind(changed.objects, 'HorizontalPodAutoscaler').length, 1);
    const checksum = (r: { objects: K8sObject[] }) =>
      (podTemplate(named(r.objects, 'Deployment', '-ingest')).metadata as { annotations?: Record<string, string> })
        .annotations?.['checksum/config'];
    assert.ok(checksum(base));
    assert.notEqual(checksum(base), checksum(changed));
  });

  test('optional parts off: no migration hook, no autoscalers or PDBs, an existing service account, extra env and scheduling', () => {
    const { objects } = renderChart([
      {
        serviceAccount: { create: false, name: 'telemetry' },
        migration: { enabled: false },
        collector: {
          autoscaling: { enabled: false },
          pdb: { enabled: false },
          extraEnv: [{ name: 'TF_OTLP_MAX_REQUEST_BYTES', value: '1048576' }],
          tolerations: [{ key: 'dedicated', operator: 'Exists' }],
        },
        query: { autoscaling: { enabled: false }, pdb: { enabled: false } },
        ingest: { pdb: { enabled: false } },
        alerting: { pdb: { enabled: false } },
        imagePullSecrets: [{ name: 'registry' }],
        image: { tag: '1.2.3' },
      },
    ]);
    validateAll(objects);
    checkConsistency(objects, 'telemetry');
    for (const kind of ['Job', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount'])
      assert.equal(byKind(objects, kind).length, 0, `no ${kind}`);
    assert.ok(
      byKind(objects, 'ConfigMap').every((c) => !c.metadata.annotations?.['helm.sh/hook']),
      'no hook copies of the config',
    );
    const pod = podTemplate(named(objects, 'Deployment', '-collector'));
    assert.equal(pod.spec.serviceAccountName, 'telemetry');
    assert.equal((pod.spec.containers[0] as unknown as { image: string }).image, 'telemetryflow/telemetryflow:1.2.3');
    assert.deepEqual(
      pod.spec.containers[0]!.env?.map((e) => e.name),
      ['TF_INGEST_WORKERS', 'TF_OTLP_MAX_REQUEST_BYTES'],
    );
  });

  test('a configured session secret goes into the Secret, never the ConfigMap', () => {
    const jwtSecret = 'a-session-secret-of-at-least-32-characters';
    const { objects } = renderChart([{ auth: { jwtSecret } }]);
    assert.equal(
      (named(objects, 'Secret', 'tf-telemetryflow').stringData as Record<string, string>).TF_JWT_SECRET,
      jwtSecret,
    );
    assert.ok(!JSON.stringify(byKind(objects, 'ConfigMap')).includes(jwtSecret));
  });

  test('refuses values it cannot deploy', () => {
    assert.throws(() => renderChart([{ clickhouse: { url: '' } }]), /clickhouse.url is required/);
    assert.throws(() => renderChart([{ bootstrap: { apiKey: 'short' } }]), /at least 16 characters/);
    assert.throws(
      () => renderChart([{ auth: { jwtSecret: 'too-short-for-hs256' } }]),
      /auth.jwtSecret must be at least 32 characters/,
    );
    assert.throws(
      () =>
        renderChart([
          {
            ingress: {
              enabled: true,
              hosts: [{ host: 'x', paths: [{ path: '/', pathType: 'Prefix', service: 'ingest', port: 'metrics' }] }],
            },
          },
        ]),
      /service must be query or collector/,
    );
  });
});
