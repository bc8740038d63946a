import { z } from 'zod';
import type { OptionDecl } from '../plugin/types.js';

/**
 * The core's own options of `bench run`, declared like plugin options so that parsing, config files and
 * help treat them the same way. Only `seed` goes into the plan; the rest say where results go.
 */
export const coreRunOptions: OptionDecl[] = [
  {
    key: 'config',
    flag: '--config <file>',
    description: 'YAML file of options (keys: option names, camelCase or kebab-case); flags win',
    schema: z.string().optional(),
    group: 'Run',
  },
  {
    key: 'seed',
    flag: '--seed <n>',
    description: 'seed of every random choice (sampling, arrival gaps, bootstrap)',
    schema: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    default: 42,
    group: 'Run',
  },
  {
    key: 'store',
    flag: '--store <path|url>',
    description:
      'run store: SQLite file or postgres://user@host:port/db (default $INFERENCEBENCH_STORE, else $INFERENCEBENCH_HOME/store.sqlite or the user data dir)',
    schema: z.string().min(1).optional(),
    group: 'Run',
  },
  {
    key: 'kubernetes',
    flag: '--kubernetes',
    description:
      'print a Kubernetes Indexed Job (and the plan as a ConfigMap) that runs this benchmark in a pod',
    schema: z.coerce.boolean(),
    default: false,
    group: 'Kubernetes',
  },
  {
    key: 'apply',
    flag: '--apply',
    description: 'with --kubernetes: submit the manifests with `kubectl apply -f -` instead of printing them',
    schema: z.coerce.boolean(),
    default: false,
    group: 'Kubernetes',
  },
  {
    key: 'image',
    flag: '--image <ref>',
    description: 'with --kubernetes: container image with bench and the plugin installed',
    schema: z.string().min(1).optional(),
    group: 'Kubernetes',
  },
  {
    key: 'namespace',
    flag: '--namespace <ns>',
    description: 'with --kubernetes: namespace of the Job',
    schema: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS-1123 label'),
    default: 'default',
    group: 'Kubernetes',
  },
  {
    key: 'storeSecret',
    flag: '--store-secret <name[:key]>',
    description: 'with --kubernetes: Secret (and key, default url) holding the store URL for the pods',
    schema: z.string().regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?(:[-._a-zA-Z0-9]+)?$/, 'name or name:key'),
    default: 'inferencebench-store',
    group: 'Kubernetes',
  },
  {
    key: 'format',
    flag: '--format <fmt>',
    description: 'result on stdout: table or json (json prints only the JSON document)',
    schema: z.enum(['table', 'json']),
    default: 'table',
    group: 'Run',
  },
  {
    key: 'output',
    flag: '--output <file>',
    description: 'also write the JSON result document to this file',
    schema: z.string().min(1).optional(),
    group: 'Run',
  },
  {
    key: 'report',
    flag: '--report <file>',
    description: 'also write the self-contained HTML report of the run to this file (see bench report)',
    schema: z.string().min(1).optional(),
    group: 'Run',
  },
  {
    key: 'quiet',
    flag: '--quiet',
    description: 'no progress or notes on stderr, only warnings and errors',
    schema: z.coerce.boolean(),
    default: false,
    group: 'Run',
  },
  {
    key: 'debug',
    flag: '--debug',
    description: 'debug logging, and stack traces on errors',
    schema: z.coerce.boolean(),
    default: false,
    group: 'Run',
  },
  {
    key: 'strict',
    flag: '--strict',
    description: 'exit 1 when the run completed but a gate failed (SLO not met, not converged)',
    schema: z.coerce.boolean(),
    default: false,
    group: 'Run',
  },
  {
    key: 'pluginModule',
    flag: '--plugin-module <paths>',
    description: 'load plugins from these JS files (comma-separated; also $INFERENCEBENCH_PLUGIN_MODULES)',
    schema: z.string().optional(),
    group: 'Run',
  },
];

/** Core keys that are part of the plan (the rest are presentation). */
export const CORE_PLAN_KEYS = ['seed'] as const;
