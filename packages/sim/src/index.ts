/** inferencebench-sim: an OpenAI-compatible serving simulator modelled on a continuous-batching engine. */
export { SimEngine } from './engine.js';
export { FLAVOR_NAMES, FLAVORS, OPENAI_CHAT_FIELDS, OPENAI_COMPLETION_FIELDS } from './flavors.js';
export {
  idlePowerW,
  Scheduler,
  sampledEosTokens,
  stepBusyness,
  stepDurationMs,
  stepPowerW,
} from './model.js';
export { listProfiles, loadProfile } from './profile.js';
export { commands, parseServeOptions, runServe, serveOptions } from './serve-command.js';
export { SIM_VERSION, simStats, startSimServer } from './server.js';
export { chatPromptTokens, completionPromptTokens, textTokens } from './text.js';
export { simulateClosedLoop } from './virtual.js';

export type { SequenceSink, SubmitRequest } from './engine.js';
export type { FlavorName, FlavorSpec, MetricsStyle } from './flavors.js';
export type { SequenceState, SimSequence, StepPlan, StepResult } from './model.js';
export type { Profile, ProfileTarget } from './profile.js';
export type { ServeOptions } from './serve-command.js';
export type { SimServer, SimServerOptions } from './server.js';
export type { ClosedLoopStats } from './virtual.js';
