/**
 * `--search goodput` (SPEC §6): the highest Poisson rate, at a fixed concurrency cap, whose level holds
 * the SLO. Bracketing (doubling up from a holding rate, halving down from a missing one) then bisection
 * until the bracket is within `tolerance` (5%) of the holding rate. Each probe is a full gated level; the
 * caller runs and stores it.
 */
export interface ProbeOutcome {
  /** The rate actually used (the first probe may be `auto`, which resolves to a number). */
  rateReqS: number;
  holds: boolean;
}

export interface GoodputSearchResult {
  /** Highest holding rate found; null when even the lowest probed rate misses. */
  rateReqS: number | null;
  probes: ProbeOutcome[];
  /** The last bracket [holding, missing]; missing is null when doubling never missed. */
  bracket: [number | null, number | null];
}

export async function searchGoodputRate(
  probe: (rate: number | 'auto') => Promise<ProbeOutcome>,
  initial: number | 'auto',
  options: { tolerance?: number; maxProbes?: number; minRateReqS?: number } = {},
): Promise<GoodputSearchResult> {
  const tolerance = options.tolerance ?? 0.05;
  const maxProbes = options.maxProbes ?? 16;
  const minRate = options.minRateReqS ?? 0.01;
  const probes: ProbeOutcome[] = [];
  const run = async (rate: number | 'auto'): Promise<ProbeOutcome> => {
    const out = await probe(rate);
    probes.push(out);
    return out;
  };

  const first = await run(initial);
  let lo: number | null = first.holds ? first.rateReqS : null;
  let hi: number | null = first.holds ? null : first.rateReqS;
  // Bracket: walk by factors of two until one side changes.
  while (probes.length < maxProbes && (lo === null || hi === null)) {
    if (lo === null) {
      const r = hi! / 2;
      if (r < minRate) break;
      const o = await run(r);
      if (o.holds) lo = o.rateReqS;
      else hi = o.rateReqS;
    } else {
      const o = await run(lo * 2);
      if (o.holds) lo = o.rateReqS;
      else hi = o.rateReqS;
    }
  }
  // Bisect: the answer is the holding end, within tolerance of the missing end.
  while (probes.length < maxProbes && lo !== null && hi !== null && (hi - lo) / lo > tolerance) {
    const o = await run((lo + hi) / 2);
    if (o.holds) lo = o.rateReqS;
    else hi = o.rateReqS;
  }
  return { rateReqS: lo, probes, bracket: [lo, hi] };
}
