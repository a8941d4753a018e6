// deploy/docker/Dockerfile against a subset of hadolint's rules (hadolint itself is packaged
// neither for npm nor for Debian), parsed with dockerfile-ast (the parser of the Dockerfile
// language server). Rules checked, with hadolint's numbers:
//   DL3006/DL3007 every base image has an explicit tag, never `latest`
//   DL3002        the last USER of every image that is shipped is not root
//   DL3025        CMD and ENTRYPOINT in JSON (exec) form
//   DL3000        WORKDIR is absolute
//   DL3020        COPY, not ADD
//   DL3004        no sudo
//   DL3016        `npm install -g` pins versions
//   DL4006        a RUN with a pipe runs under SHELL … -o pipefail
//   DL3022        COPY --from names an earlier stage
// plus TelemetryFlow's own: multi-stage, HEALTHCHECK in every shipped image, the role as the
// argument (ENTRYPOINT node main.js, CMD ["all"]), and no embedded ClickHouse in the server image.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { readDeployFile, REPO_DIR } from './deploy-files.js';
import { readFileSync } from 'node:fs';

interface Stage {
  name: string | undefined;
  base: string;
  instructions: Instruction[];
}

const text = readDeployFile('docker/Dockerfile');
const dockerfile = DockerfileParser.parse(text);

function stages(): Stage[] {
  const args = new Map<string, string>();
  const out: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const content = instruction.getArgumentsContent() ?? '';
    if (keyword === 'ARG' && out.length === 0) {
      const [name, value] = content.split('=');
      if (value !== undefined) args.set(name!, value);
    }
    if (keyword === 'FROM') {
      const [image, as, name] = content.split(/\s+/);
      assert.ok(as === undefined || as.toUpperCase() === 'AS', `FROM ${content}`);
      const base = image!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args.get((a ?? b)!) ?? '');
      out.push({ name, base, instructions: [] });
    } else if (out.length > 0) {
      out.at(-1)!.instructions.push(instruction);
    }
  }
  return out;
}

/** A stage's instructions including those of the stages it is built FROM. */
function lineage(all: Stage[], stage: Stage): Instruction[] {
  const parent = all.find((s) => s.name === stage.base);
  return parent ? [...lineage(all, parent), ...stage.instructions] : stage.instructions;
}

const content = (i: Instruction) => i.getArgumentsContent() ?? '';
/** COPY --from=<stage> (flags are not part of the arguments). */
const copyFrom = (i: Instruction) => (i instanceof Copy ? (i.getFromFlag()?.getValue() ?? undefined) : undefined);
const of = (list: Instruction[], keyword: string) => list.filter((i) => i.getKeyword() === keyword);
const SHIPPED = ['server', 'all-in-one'];

describe('Dockerfile (hadolint subset)', () => {
  const all = stages();

  test('multi-stage, and the shipped targets are server (last, the default) and all-in-one', () => {
    assert.ok(all.length >= 3, 'build and runtime stages');
    assert.equal(all.at(-1)!.name, 'server');
    for (const name of SHIPPED)
      assert.ok(
        all.some((s) => s.name === name),
        `target ${name}`,
      );
  });

  test('DL3006/DL3007: base images are tagged, never latest', () => {
    for (const stage of all) {
      if (all.some((s) => s.name === stage.base)) continue;
      assert.match(stage.base, /^[\w./-]+:[\w.-]+$/, `FROM ${stage.base} has a tag`);
      assert.doesNotMatch(stage.base, /:latest$/);
    }
  });

  test('DL3002 and HEALTHCHECK: every shipped image runs as a non-root uid and has a health check', () => {
    for (const name of SHIPPED) {
      const instructions = lineage(
        all,
        all.find((s) => s.name === name)!,
      );
      const user = of(instructions, 'USER').at(-1);
      assert.ok(user, `${name} sets USER`);
      const uid = content(user).split(':')[0]!;
      assert.match(uid, /^\d+$/, `${name}: USER is numeric, so Kubernetes can verify runAsNonRoot`);
      assert.notEqual(Number(uid), 0, `${name} does not run as root`);
      const healthcheck = of(instructions, 'HEALTHCHECK').at(-1);
      assert.ok(healthcheck && !/^NONE\b/i.test(content(healthcheck)), `${name} has a HEALTHCHECK`);
      assert.match(content(healthcheck), /\/health/);
    }
  });

  test('DL3025: ENTRYPOINT runs the server, the role is the argument (default all), in exec form', () => {
    for (const name of SHIPPED) {
      const instructions = lineage(
        all,
        all.find((s) => s.name === name)!,
      );
      const json = (i: Instruction | undefined) => JSON.parse(content(i!)) as string[];
      assert.deepEqual(json(of(instructions, 'ENTRYPOINT').at(-1)), ['node', 'server/dist/src/main.js']);
      assert.deepEqual(json(of(instructions, 'CMD').at(-1)), ['all']);
    }
    for (const i of [...of(dockerfile.getInstructions(), 'CMD'), ...of(dockerfile.getInstructions(), 'ENTRYPOINT')]) {
      assert.ok(content(i).trim().startsWith('['), `${i.getKeyword()} uses JSON notation`);
    }
  });

  test('DL3000, DL3020, DL3004, DL3016, DL4006, DL3022', () => {
    const names: string[] = [];
    let copiesFromStages = 0;
    for (const stage of all) {
      for (const i of stage.instructions) {
        const keyword = i.getKeyword();
        const args = content(i);
        if (keyword === 'WORKDIR') assert.ok(args.startsWith('/'), `WORKDIR ${args} is absolute`);
        assert.notEqual(keyword, 'ADD', 'COPY instead of ADD');
        if (keyword === 'RUN') {
          assert.doesNotMatch(args, /\bsudo\b/);
          for (const m of args.matchAll(/npm (?:install|i) -g ([^&;]+)/g)) {
            for (const pkg of m[1]!.trim().split(/\s+/))
              assert.match(pkg, /^(@?[^@\s]+)@\d/, `npm install -g ${pkg} pins a version`);
          }
          if (/[^|]\|[^|]/.test(args)) {
            const shell = of(lineage(all, stage), 'SHELL').at(-1);
            assert.ok(
              shell && content(shell).includes('pipefail'),
              `a RUN with a pipe needs SHELL … -o pipefail: ${args.slice(0, 60)}`,
            );
          }
        }
        const from = copyFrom(i);
        if (from !== undefined) {
          assert.ok(names.includes(from), `COPY --from=${from} names an earlier stage`);
          copiesFromStages++;
        }
      }
      if (stage.name) names.push(stage.name);
    }
    assert.ok(copiesFromStages >= 2, 'the shipped images copy from build stages');
  });

  test('the server image leaves out the embedded ClickHouse; the all-in-one keeps it', () => {
    const copiedFrom = (name: string) => copyFrom(of(all.find((s) => s.name === name)!.instructions, 'COPY')[0]!)!;
    const serverDeps = all.find((s) => s.name === copiedFrom('server'))!;
    const install = of(serverDeps.instructions, 'RUN').map(content).join('\n');
    assert.match(install, /pnpm install --frozen-lockfile --prod/);
    assert.match(
      install,
      /rm -rf node_modules\/\.pnpm\/chdb@\* node_modules\/\.pnpm\/@chdb\+\*/,
      'removes chdb and its library',
    );
    assert.match(
      install,
      /find \/out \\\( -name 'chdb\*' -o -name '@chdb\*' -o -name 'libchdb\*' \\\)[^\n]*exit 1/,
      'fails the build if any of it is left',
    );
    const aioDeps = all.find((s) => s.name === copiedFrom('all-in-one'))!;
    assert.doesNotMatch(of(aioDeps.instructions, 'RUN').map(content).join('\n'), /chdb/);
  });

  test('.dockerignore keeps node_modules, build output and data out of the context, but not the manifests', () => {
    const ignore = readFileSync(REPO_DIR + '.dockerignore', 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const pattern of ['**/node_modules', '**/dist', 'data', '.git'])
      assert.ok(ignore.includes(pattern), `.dockerignore has ${pattern}`);
    // pnpm install --frozen-lockfile needs every workspace package's manifest in the context.
    assert.ok(ignore.includes('!deploy/package.json'));
  });
});
