/** The silo simulator: a deterministic, streamed synthetic organization with ground truth. */
export { writeOrganization, type SimulationOptions, type SimulationSummary, type SiloSummary } from './write-organization.ts';
export { defaultErrorRates, mergeErrorRates, errorKinds, rateFor, type ErrorRates, type ErrorKind } from './error-rates.ts';
export { siloNames, type SiloName } from './ids.ts';
export { signalKinds, type Signal, type SignalKind } from './truth.ts';
