import { spawn } from 'node:child_process';
import { stringify } from 'yaml';
import { BenchError } from '../errors.js';
import type { CommandIo, OptionDecl, Plugin } from '../plugin/types.js';
import { ulid } from '../store/ulid.js';

/** Where the plan's ConfigMap is mounted in the pod, and the file `bench run --config` reads there. */
const PLAN_DIR = '/etc/inferencebench';
const PLAN_FILE = 'plan.yaml';

export interface KubernetesJobInput {
  pluginId: string;
  /** The plugin's resolved options (secret ones are left out) plus the core's plan keys (seed). */
  config: Record<string, unknown>;
  image: string;
  namespace: string;
  /** Secret holding the store URL: `name` or `name:key` (key `url` by default). */
  storeSecret: string;
  /** GPUs each pod requests (`nvidia.com/gpu`); 0 requests none. */
  gpus: number;
  /** Pods of the Indexed Job (one per launch); each sees its index in $JOB_COMPLETION_INDEX. */
  completions: number;
  jobName?: string;
}

/** A DNS-1123 name for the Job: `bench-` and the lower-case ULID (unique, sortable by time). */
export function defaultJobName(): string {
  return `bench-${ulid().toLowerCase()}`;
}

/** The options worth carrying into the pod's config file: declared, set, and not secret. */
export function podConfig(
  plan: Record<string, unknown>,
  decls: OptionDecl[],
  coreKeys: readonly string[],
): { config: Record<string, unknown>; leftOut: string[] } {
  const config: Record<string, unknown> = {};
  const leftOut: string[] = [];
  for (const d of decls) {
    const v = plan[d.key];
    if (v === undefined) continue;
    if (d.secret) leftOut.push(d.key);
    else config[d.key] = v;
  }
  for (const k of coreKeys) if (plan[k] !== undefined) config[k] = plan[k];
  return { config, leftOut };
}

/**
 * The manifests of one benchmark on Kubernetes: a ConfigMap with the plan as a `--config` file, and an
 * Indexed Job whose pods run `bench run <plugin> --config ...` with the store URL from a Secret (never in
 * the manifest). Returned as one multi-document YAML text, ready for `kubectl apply -f -`.
 */
export function renderKubernetesJob(input: KubernetesJobInput): string {
  const name = input.jobName ?? defaultJobName();
  const [secretName, secretKey = 'url'] = input.storeSecret.split(':') as [string, string?];
  const labels = { 'app.kubernetes.io/name': 'inferencebench', 'inferencebench/job': name };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-plan`, namespace: input.namespace, labels },
    data: { [PLAN_FILE]: stringify(input.config) },
  };
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: input.namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: input.completions,
      parallelism: input.completions,
      // A benchmark that failed is a result (stored as failed), not something to retry blindly.
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'bench',
              image: input.image,
              command: ['bench', 'run', input.pluginId, '--config', `${PLAN_DIR}/${PLAN_FILE}`],
              env: [
                {
                  name: 'INFERENCEBENCH_STORE',
                  valueFrom: { secretKeyRef: { name: secretName, key: secretKey } },
                },
                { name: 'INFERENCEBENCH_HOME', value: '/var/lib/inferencebench' },
              ],
              ...(input.gpus > 0 ? { resources: { limits: { 'nvidia.com/gpu': String(input.gpus) } } } : {}),
              volumeMounts: [
                { name: 'plan', mountPath: PLAN_DIR, readOnly: true },
                { name: 'home', mountPath: '/var/lib/inferencebench' },
              ],
            },
          ],
          volumes: [
            { name: 'plan', configMap: { name: `${name}-plan` } },
            { name: 'home', emptyDir: {} },
          ],
        },
      },
    },
  };
  const opts = { aliasDuplicateObjects: false };
  return `${stringify(configMap, opts)}---\n${stringify(job, opts)}`;
}

/** `kubectl apply -f -` with the manifests on stdin; kubectl's own output passes through. */
export async function kubectlApply(manifests: string, namespace: string): Promise<void> {
  const child = spawn('kubectl', ['apply', '--namespace', namespace, '-f', '-'], {
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', res);
    child.stdin.end(manifests);
  }).catch((err: NodeJS.ErrnoException) => {
    throw new BenchError(
      'BENCH_ERR_USAGE',
      err.code === 'ENOENT' ? 'kubectl is not on PATH' : `kubectl failed to start: ${err.message}`,
      { hint: 'install kubectl and point it at the cluster, or drop --apply to print the manifests' },
    );
  });
  if (code !== 0)
    throw new BenchError('BENCH_ERR_USAGE', `kubectl apply exited ${code}`, {
      hint: "see kubectl's message above; `--kubernetes` without --apply prints the manifests to check",
    });
}

/**
 * `bench run <plugin> ... --kubernetes [--apply]`: print (or submit) the Job instead of running here.
 * Checked like a local run first (the plan is resolved and validated by the caller).
 */
export async function runOnKubernetes(
  plugin: Plugin,
  plan: Record<string, unknown>,
  values: Record<string, unknown>,
  coreKeys: readonly string[],
  io: CommandIo,
): Promise<number> {
  if (typeof values.image !== 'string' || values.image === '')
    throw new BenchError('BENCH_ERR_BAD_OPTION', '--kubernetes needs --image', {
      hint: 'the container image with bench and the plugin installed, e.g. --image registry.example/inferencebench:0.1.0',
    });
  const { config, leftOut } = podConfig(plan, plugin.options, coreKeys);
  if (leftOut.length > 0)
    io.stderr(
      `warning: secret options left out of the pod's plan (give them to the pod another way): ${leftOut.join(', ')}\n`,
    );
  if (values.store !== undefined)
    io.stderr(
      'warning: --store is not used by the pods: they read the store URL from the Secret (--store-secret)\n',
    );
  const namespace = String(values.namespace ?? 'default');
  const jobName = defaultJobName();
  const pods = plugin.kubernetes?.(plan, { name: jobName }) ?? { pods: 1, gpus: 0 };
  for (const [k, v] of Object.entries(pods.plan ?? {})) {
    if (v === undefined) delete config[k];
    else config[k] = v;
  }
  const manifests = renderKubernetesJob({
    pluginId: plugin.id,
    config,
    image: values.image,
    namespace,
    storeSecret: String(values.storeSecret ?? 'inferencebench-store'),
    gpus: pods.gpus,
    completions: pods.pods,
    jobName,
  });
  if (values.apply) await kubectlApply(manifests, namespace);
  else io.stdout(manifests);
  return 0;
}
