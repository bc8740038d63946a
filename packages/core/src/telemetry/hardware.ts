import { execFile } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * GPU detection through `nvidia-smi`. The canonical model name comes from the PCI device id first
 * (marketing names in `nvidia-smi` vary between drivers: "NVIDIA H100 80GB HBM3" is the SXM5 part),
 * then from the name and memory size when the id is not in the table.
 */

/** One GPU as found on this machine. */
export interface GpuInfo {
  index: number;
  /** Name as nvidia-smi prints it, e.g. `NVIDIA H100 80GB HBM3`. */
  name: string;
  /** Canonical model, e.g. `H100-SXM5-80GB`, or null when unknown. */
  model: string | null;
  /** PCI device id, lowercase `0x2330`, or null. */
  pciDeviceId: string | null;
  memoryMiB: number | null;
  driverVersion: string | null;
  powerLimitW: number | null;
}

/** What the machine has: GPUs (empty on CPU-only machines) and the CPU model. */
export interface HardwareInfo {
  gpus: GpuInfo[];
  cpu: string;
  /** `nvidia-smi` when GPUs were queried, `none` when nvidia-smi is absent or failed. */
  source: 'nvidia-smi' | 'none';
  /** Why nvidia-smi gave nothing (not installed, driver error), or null. */
  note: string | null;
}

/** The query `detectHardware` runs; exported so fakes and docs can show it. */
export const NVIDIA_SMI_QUERY = [
  '--query-gpu=index,name,pci.device_id,memory.total,driver_version,power.limit',
  '--format=csv,noheader,nounits',
];

// Device ids from the PCI id database (pci-ids.ucw.cz, vendor 10de).
const MODEL_BY_DEVICE_ID: Record<string, string> = {
  '2330': 'H100-SXM5-80GB',
  '2331': 'H100-PCIe-80GB',
  '2321': 'H100-NVL-94GB',
  '2324': 'H800-SXM5-80GB',
  '2322': 'H800-PCIe-80GB',
  '2329': 'H20-96GB',
  '2335': 'H200-SXM-141GB',
  '233b': 'H200-NVL-141GB',
  '2342': 'GH200-96GB',
  '20b0': 'A100-SXM4-40GB',
  '20b2': 'A100-SXM4-80GB',
  '20b1': 'A100-PCIe-40GB',
  '20f1': 'A100-PCIe-40GB',
  '20b5': 'A100-PCIe-80GB',
  '20b7': 'A30-24GB',
  '26b9': 'L40S-48GB',
  '26b5': 'L40-48GB',
  '27b8': 'L4-24GB',
  '2236': 'A10-24GB',
  '2237': 'A10G-24GB',
  '2901': 'B200-180GB',
  '29bc': 'B100-180GB',
  '2941': 'GB200-186GB',
  '1db1': 'V100-SXM2-16GB',
  '1db5': 'V100-SXM2-32GB',
  '1db4': 'V100-PCIe-16GB',
  '1db6': 'V100-PCIe-32GB',
  '1eb8': 'T4-16GB',
};

/**
 * `0x233010DE` (nvidia-smi prints device id then vendor id) or `0x2330` -> `0x2330`; null if not hex.
 */
export function pciDeviceId(raw: string): string | null {
  const hex = raw.trim().toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{4}([0-9a-f]{4})?$/.test(hex)) return null;
  return `0x${hex.slice(0, 4)}`;
}

/** Canonical model name from PCI device id, falling back to the marketing name and memory. */
export function gpuModelName(deviceId: string | null, name: string, memoryMiB: number | null): string | null {
  const byId = deviceId ? MODEL_BY_DEVICE_ID[deviceId.replace(/^0x/, '')] : undefined;
  if (byId) return byId;
  const n = name.toUpperCase();
  const gb = memoryMiB === null ? null : Math.round(memoryMiB / 1024);
  // Name fallback: only the families whose variants can be told apart from the name and memory.
  if (/H200/.test(n)) return n.includes('NVL') ? 'H200-NVL-141GB' : 'H200-SXM-141GB';
  if (/H100/.test(n)) {
    if (n.includes('NVL')) return 'H100-NVL-94GB';
    if (n.includes('PCIE')) return 'H100-PCIe-80GB';
    if (n.includes('HBM3')) return 'H100-SXM5-80GB';
    return null;
  }
  if (/A100/.test(n)) {
    const size = gb !== null && gb > 60 ? '80GB' : '40GB';
    return n.includes('PCIE') ? `A100-PCIe-${size}` : `A100-SXM4-${size}`;
  }
  if (/L40S/.test(n)) return 'L40S-48GB';
  if (/B200/.test(n)) return 'B200-180GB';
  return null;
}

function numberOrNull(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const v = Number(raw.trim());
  return raw.trim() === '' || !Number.isFinite(v) ? null : v;
}

/** Parse `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` output (pure). */
export function parseNvidiaSmiGpus(csv: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of csv.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 6) continue;
    const [index, name = '', device = '', memory, driver, power] = cols;
    const id = pciDeviceId(device);
    const memoryMiB = numberOrNull(memory);
    gpus.push({
      index: numberOrNull(index) ?? gpus.length,
      name,
      model: gpuModelName(id, name, memoryMiB),
      pciDeviceId: id,
      memoryMiB,
      driverVersion: driver && driver !== '[N/A]' ? driver : null,
      // "[N/A]" on parts whose limit cannot be read (some vGPUs).
      powerLimitW: numberOrNull(power),
    });
  }
  return gpus;
}

function runNvidiaSmi(bin: string, timeoutMs: number): Promise<{ stdout: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile(bin, NVIDIA_SMI_QUERY, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? `${bin} not found` : (stderr || err.message).trim().split('\n')[0];
        resolve({ error: why ?? 'nvidia-smi failed' });
        return;
      }
      resolve({ stdout });
    });
  });
}

/** Detect GPUs (via nvidia-smi) and the CPU model. Never throws: a CPU-only machine has `gpus: []`. */
export async function detectHardware(
  opts: { nvidiaSmi?: string; timeoutMs?: number } = {},
): Promise<HardwareInfo> {
  const cpu = cpus()[0]?.model.trim() || 'unknown CPU';
  const result = await runNvidiaSmi(opts.nvidiaSmi ?? 'nvidia-smi', opts.timeoutMs ?? 10_000);
  if ('error' in result) return { gpus: [], cpu, source: 'none', note: result.error };
  return { gpus: parseNvidiaSmiGpus(result.stdout), cpu, source: 'nvidia-smi', note: null };
}

/** One short label for the "Model: ... on ..." line: `H100-SXM5-80GB`, `8x H100-SXM5-80GB`, `CPU (...)`. */
export function hardwareLabel(hw: HardwareInfo): string {
  if (hw.gpus.length === 0) return `CPU only (${hw.cpu})`;
  const names = hw.gpus.map((g) => g.model ?? g.name);
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => (c > 1 ? `${c}x ${n}` : n)).join(' + ');
}

/** `h100`, `H100-SXM5-80GB`, `H100 SXM` -> comparable lowercase tokens. */
function hardwareTokens(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

/**
 * Warning text when `--hardware` names something other than what was detected, else null. `h100` matches
 * every H100 variant; `h100-pcie` only the PCIe one.
 */
export function checkHardware(requested: string | undefined, detected: HardwareInfo): string | null {
  if (!requested) return null;
  const want = hardwareTokens(requested);
  if (detected.gpus.length === 0) {
    return `--hardware ${requested} given but no NVIDIA GPU was detected (${detected.note ?? 'nvidia-smi listed none'}; CPU: ${detected.cpu})`;
  }
  const mismatched = detected.gpus.filter((g) => {
    const have = hardwareTokens(`${g.model ?? ''} ${g.name}`);
    // Prefix match per token, so `h100-sxm` matches `H100-SXM5-80GB`.
    return !want.every((t) => have.some((h) => h.startsWith(t)));
  });
  if (mismatched.length === 0) return null;
  return `--hardware ${requested} given but detected ${hardwareLabel(detected)}; results are labelled with what was asked`;
}
