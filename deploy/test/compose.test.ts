// docker-compose.yml and docker-compose.cluster.yml: they parse, and every service, volume,
// bind-mounted file and ${VAR} they reference is defined; the topology is the one documented.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse } from 'yaml';
import { deployPath, knownSettings, readDeployFile } from './deploy-files.js';

type Doc = Record<string, unknown>;
type Service = Doc & {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
};
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function load(file: string): Compose {
  const doc = parse(readDeployFile(`compose/${file}`), { merge: true }) as Compose;
  assert.equal(typeof doc.services, 'object', `${file} has services`);
  return doc;
}

/** `docker compose -f a -f b` merging, as far as these files use it. */
function mergeCompose(base: Compose, overlay: Compose): Compose {
  const mergeValue = (a: unknown, b: unknown, key: string): unknown => {
    if (key === 'command' || key === 'entrypoint' || (key === 'healthcheck' && (b as Doc).test)) return b;
    if (Array.isArray(a) && Array.isArray(b)) {
      // volumes and ports: one entry per container path / published port
      const target = (entry: unknown) => String(entry).split(':')[1] ?? String(entry);
      const kept = a.filter((x) => !b.some((y) => target(y) === target(x)));
      return [...kept, ...b];
    }
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const out: Doc = { ...(a as Doc) };
      for (const [k, v] of Object.entries(b as Doc)) out[k] = k in out ? mergeValue(out[k], v, k) : v;
      return out;
    }
    return b;
  };
  return mergeValue(base, overlay, '') as Compose;
}

const dependencies = (s: Service): Record<string, string> =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([name, d]) => [name, d.condition]));

/** Every `${VAR…}` / `$VAR` in the file's strings, with whether it has a default; `$$` is a literal `$`. */
function interpolations(value: unknown, found: Map<string, boolean> = new Map()): Map<string, boolean> {
  if (typeof value === 'string') {
    const text = value.replaceAll('$$', '');
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const name = (m[1] ?? m[3])!;
      const hasDefault = m[2] !== undefined && /^:?-/.test(m[2]);
      found.set(name, (found.get(name) ?? true) && hasDefault);
    }
  } else if (Array.isArray(value)) value.forEach((v) => interpolations(v, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      interpolations(k, found);
      interpolations(v, found);
    }
  }
  return found;
}

function envExample(): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of readDeployFile('compose/.env.example').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars.set(m[1]!, m[2]!);
    else assert.ok(line.trim() === '' || line.trim().startsWith('#'), `.env.example: not VAR=value: ${line}`);
  }
  return vars;
}

/** A value as compose sees it with .env.example copied to .env: `${VAR}`, `${VAR:-default}` resolved. */
function interpolate(value: string, env: Map<string, string>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => env.get(name) || fallback || '',
  );
}

const roleOf = (s: Service) => (s.image?.includes('telemetryflow') ? s.command?.[0] : undefined);

/** Properties every compose setup of TelemetryFlow must have. */
function checkReferences(name: string, compose: Compose, rawFiles: unknown[]): void {
  const services = compose.services;
  const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
  const usedVolumes = new Set<string>();
  for (const [serviceName, service] of Object.entries(services)) {
    const where = `${name}: service ${serviceName}`;
    assert.ok(service.image, `${where} has an image`);
    const image = interpolate(service.image, envExample());
    assert.match(image, /^[^:]+:(?!latest$)[^:]+$/, `${where}: image ${image} has an explicit tag other than latest`);
    for (const [dep, condition] of Object.entries(dependencies(service))) {
      const target = services[dep];
      assert.ok(target, `${where} depends on ${dep}, which is not a service`);
      assert.ok(
        ['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition),
        `${where}: condition ${condition}`,
      );
      if (condition === 'service_healthy') {
        assert.ok(
          target.healthcheck?.test && !target.healthcheck.disable,
          `${where} waits for ${dep} to be healthy, but ${dep} has no health check`,
        );
      }
      if (condition === 'service_completed_successfully')
        assert.equal(target.restart, 'no', `${where} waits for ${dep} to complete: it must not restart`);
    }
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./') || source.startsWith('../')) {
        assert.ok(existsSync(deployPath(`compose/${source}`)), `${where} mounts ${source}, which does not exist`);
      } else {
        assert.ok(declaredVolumes.has(source), `${where} uses volume ${source}, which is not declared`);
        usedVolumes.add(source);
      }
    }
    const role = roleOf(service);
    if (role) {
      const env = service.environment ?? {};
      const settings = knownSettings();
      for (const key of Object.keys(env))
        assert.ok(settings.has(key), `${where}: ${key} is not a TelemetryFlow setting (README configuration table)`);
      assert.equal(env.TF_HOST, '0.0.0.0', `${where} listens on all interfaces`);
      const needs: Record<string, string[]> = {
        collector: ['NATS_URL', 'DATABASE_URL'],
        ingest: ['NATS_URL', 'CLICKHOUSE_URL'],
        query: ['CLICKHOUSE_URL', 'DATABASE_URL'],
        alerting: ['CLICKHOUSE_URL', 'DATABASE_URL'],
        migrate: ['CLICKHOUSE_URL', 'DATABASE_URL'],
      };
      assert.ok(needs[role], `${where}: unknown command ${role}`);
      for (const key of needs[role]!) assert.ok(env[key], `${where} (${role}) needs ${key}`);
    }
  }
  for (const volume of declaredVolumes)
    assert.ok(usedVolumes.has(volume), `${name}: volume ${volume} is declared but unused`);

  const env = envExample();
  const used = new Map<string, boolean>();
  for (const raw of rawFiles) for (const [k, v] of interpolations(raw)) used.set(k, (used.get(k) ?? true) && v);
  for (const [variable, hasDefault] of used) {
    assert.ok(hasDefault || env.has(variable), `${name}: \${${variable}} has no default and is not in .env.example`);
  }
  for (const variable of env.keys())
    assert.ok(used.has(variable), `.env.example: ${variable} is used by no compose file`);
}

describe('docker-compose.yml', () => {
  const raw = parse(readDeployFile('compose/docker-compose.yml'));
  const rawCluster = parse(readDeployFile('compose/docker-compose.cluster.yml'));
  const compose = load('docker-compose.yml');

  test('references only defined services, volumes, files and variables', () => {
    checkReferences('docker-compose.yml', compose, [raw, rawCluster]);
  });

  test('runs ClickHouse, NATS with JetStream on a volume, Postgres, 2 collectors behind one port, 2 writers, query, 2 alerting replicas', () => {
    const byRole = (role: string) =>
      Object.entries(compose.services)
        .filter(([, s]) => roleOf(s) === role)
        .map(([n]) => n);
    assert.equal(byRole('collector').length, 2);
    assert.equal(byRole('ingest').length, 2);
    assert.deepEqual(byRole('query'), ['query']);
    assert.deepEqual(byRole('alerting'), ['alerting-1', 'alerting-2']);
    assert.deepEqual(byRole('migrate'), ['migrate']);
    assert.match(compose.services.clickhouse!.image!, /^clickhouse\/clickhouse-server:/);
    assert.match(compose.services.postgres!.image!, /^postgres:/);
    const nats = compose.services.nats!;
    assert.ok(nats.command?.includes('-js') && nats.command.includes('-sd'), 'nats runs JetStream with a store dir');
    const storeDir = nats.command![nats.command!.indexOf('-sd') + 1];
    assert.ok(
      nats.volumes?.some((v) => v.endsWith(`:${storeDir}`)),
      'the JetStream store is on a volume',
    );
    // Every role waits for migrations and for what it talks to being healthy.
    for (const name of [...byRole('collector'), ...byRole('ingest'), ...byRole('query'), ...byRole('alerting')]) {
      assert.equal(
        dependencies(compose.services[name]!).migrate,
        'service_completed_successfully',
        `${name} waits for migrate`,
      );
    }
    assert.ok(compose.services.query!.environment!.TF_HTTP_PORT === '8080');
    // migrate also creates the JetStream streams, so it needs every store.
    assert.deepEqual(Object.keys(dependencies(compose.services.migrate!)).sort(), ['clickhouse', 'nats', 'postgres']);
  });

  test('the OTLP gateway publishes 4317 and 4318 and balances over exactly the collector services', () => {
    const gateway = compose.services['otlp-gateway']!;
    assert.ok(gateway.image!.startsWith('nginx:'));
    const published = (gateway as { ports: string[] }).ports.map((p) => p.split(':').at(-1));
    assert.deepEqual(published.sort(), ['4317', '4318']);
    const conf = readDeployFile('compose/nginx/nginx.conf');
    const collectors = Object.entries(compose.services)
      .filter(([, s]) => roleOf(s) === 'collector')
      .map(([n]) => n)
      .sort();
    for (const [upstream, port] of [
      ['otlp_grpc', 4317],
      ['otlp_http', 4318],
    ] as const) {
      const block = new RegExp(`upstream ${upstream} \\{([^}]*)\\}`).exec(conf)?.[1];
      assert.ok(block, `nginx.conf has upstream ${upstream}`);
      const servers = [...block.matchAll(/server ([\w-]+):(\d+)/g)].map((m) => [m[1], Number(m[2])] as const);
      assert.deepEqual(servers.map(([host]) => host).sort(), collectors);
      assert.ok(servers.every(([, p]) => p === port));
    }
    assert.match(
      conf,
      /listen 4317;\s*http2 on;[\s\S]*grpc_pass grpc:\/\/otlp_grpc;/,
      'gRPC goes through HTTP/2 grpc_pass',
    );
    assert.match(conf, /proxy_pass http:\/\/otlp_http;/);
  });
});

describe('docker-compose.cluster.yml', () => {
  const raw = parse(readDeployFile('compose/docker-compose.yml'));
  const rawCluster = parse(readDeployFile('compose/docker-compose.cluster.yml'));
  const merged = mergeCompose(load('docker-compose.yml'), load('docker-compose.cluster.yml'));
  const xml = new XMLParser({
    ignoreAttributes: false,
    isArray: (_name, jpath) =>
      /(\.shard|\.shard\.replica|zookeeper\.node|raft_configuration\.server)$/.test(String(jpath)),
  });
  const readXml = (relative: string) => {
    const text = readDeployFile(`compose/${relative}`);
    assert.equal(XMLValidator.validate(text), true, `${relative} is well-formed XML`);
    return xml.parse(text) as { clickhouse: Doc };
  };
  const mountOf = (service: Service, containerPath: string) =>
    service.volumes?.find((v) => v.split(':')[1] === containerPath)?.split(':')[0];

  test('merged onto docker-compose.yml, references only defined services, volumes, files and variables', () => {
    checkReferences('docker-compose.yml + docker-compose.cluster.yml', merged, [raw, rawCluster]);
  });

  test('3 NATS nodes route to each other and the roles use all three with 3 replicas', () => {
    const nodes = Object.entries(merged.services).filter(([, s]) => s.image!.startsWith('nats:'));
    assert.equal(nodes.length, 3);
    const names = nodes.map(([n]) => n).sort();
    for (const [name, node] of nodes) {
      const command = node.command!;
      assert.ok(command.includes('-js'), `${name} runs JetStream`);
      const routes = command[command.indexOf('--routes') + 1]!.split(',')
        .map((r) => new URL(r).hostname)
        .sort();
      assert.deepEqual(routes, names, `${name} routes to every node`);
      assert.equal(command[command.indexOf('--name') + 1], name);
      assert.ok(node.volumes?.length, `${name} keeps JetStream on a volume`);
    }
    for (const [name, service] of Object.entries(merged.services).filter(([, s]) => roleOf(s))) {
      const env = service.environment!;
      if (!env.NATS_URL) continue;
      assert.deepEqual(
        String(env.NATS_URL)
          .split(',')
          .map((u) => new URL(u).hostname)
          .sort(),
        names,
        `${name} knows every NATS node`,
      );
      assert.equal(String(env.TF_NATS_REPLICAS), '3');
    }
  });

  test('ClickHouse: 2 shards x 2 replicas of compose services, distinct macros, 3 Keeper nodes, cluster name given to the roles', () => {
    const cluster = readXml('clickhouse/cluster/cluster.xml').clickhouse;
    const servers = cluster.remote_servers as Record<string, { shard: { replica: { host: string }[] }[] }>;
    const [clusterName, ...others] = Object.keys(servers).filter((k) => !k.startsWith('@_'));
    assert.equal(others.length, 0);
    const shards = servers[clusterName!]!.shard;
    assert.equal(shards.length, 2);
    const chNodes = Object.entries(merged.services).filter(([, s]) =>
      s.image!.startsWith('clickhouse/clickhouse-server:'),
    );
    assert.equal(chNodes.length, 4);
    const seen = new Set<string>();
    shards.forEach((shard, i) => {
      assert.equal(shard.replica.length, 2);
      for (const { host } of shard.replica) {
        const service = merged.services[host];
        assert.ok(service, `replica ${host} is a compose service`);
        assert.equal(
          mountOf(service, '/etc/clickhouse-server/config.d/cluster.xml'),
          './clickhouse/cluster/cluster.xml',
        );
        const macros = readXml(mountOf(service, '/etc/clickhouse-server/config.d/macros.xml')!.slice(2)).clickhouse
          .macros as Doc;
        assert.equal(Number(macros.shard), i + 1, `${host} is in shard ${i + 1}`);
        assert.equal(macros.replica, host);
        assert.equal(macros.cluster, clusterName);
        seen.add(`${macros.shard}/${macros.replica}`);
      }
    });
    assert.equal(seen.size, 4, 'every node has its own shard/replica macros');

    const keeperHosts = ((cluster.zookeeper as Doc).node as { host: string }[]).map((n) => n.host).sort();
    assert.equal(keeperHosts.length, 3);
    const ids = new Set<number>();
    for (const host of keeperHosts) {
      const service = merged.services[host];
      assert.ok(service, `keeper ${host} is a compose service`);
      const keeper = readXml(mountOf(service, '/etc/clickhouse-keeper/keeper_config.xml')!.slice(2)).clickhouse
        .keeper_server as Doc;
      const raft = (keeper.raft_configuration as Doc).server as { id: number; hostname: string }[];
      assert.deepEqual(raft.map((s) => s.hostname).sort(), keeperHosts);
      const own = raft.find((s) => s.hostname === host);
      assert.equal(Number(keeper.server_id), Number(own?.id), `${host}'s server_id is its raft id`);
      ids.add(Number(keeper.server_id));
    }
    assert.equal(ids.size, 3);

    for (const [name, service] of Object.entries(merged.services).filter(([, s]) => roleOf(s))) {
      assert.equal(service.environment!.TF_CLICKHOUSE_CLUSTER, clusterName, `${name} gets TF_CLICKHOUSE_CLUSTER`);
    }
  });
});
