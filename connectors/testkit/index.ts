// The connector testkit: contract checks any connector must pass (STYLE.md 14), for UniCS's own adapters and for
// integrators' connectors.
export { runConnectorContract } from './run-connector-contract.ts';
export {
  checkCancellation,
  checkDescription,
  checkErrorMapping,
  checkKeyAlignment,
  checkMissingKeys,
  type ContractSubject,
  type UpstreamMode,
} from './contract-checks.ts';
