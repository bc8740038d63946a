import type { OptionDecl } from 'inferencebench';
import { z } from 'zod';

/** `--format table|json` of the listing commands (`bench datasets`, `bench engines`, `bench slo-templates`). */
export const formatOption: OptionDecl = {
  key: 'format',
  flag: '--format <fmt>',
  description: 'table or json',
  schema: z.enum(['table', 'json']),
  default: 'table',
};
