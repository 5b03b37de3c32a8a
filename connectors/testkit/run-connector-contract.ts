// Registers the connector contract checks as vitest tests (connectors/testkit is for integrators' test files):
//
//   import { runConnectorContract } from 'unics/connectors/testkit';
//   runConnectorContract('acme-crm', async () => ({ connector, entity: 'contact', existingKeys: [...], ... }));
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  checkCancellation,
  checkDescription,
  checkErrorMapping,
  checkKeyAlignment,
  checkMissingKeys,
  type ContractSubject,
} from './contract-checks.ts';

export function runConnectorContract(title: string, setup: () => Promise<ContractSubject>): void {
  describe(`connector contract: ${title}`, () => {
    let subject: ContractSubject;
    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(async () => {
      await subject?.close();
    });
    it('describes its entities', () => checkDescription(subject));
    it('answers every requested key exactly once, matched by key, whatever the order', () => checkKeyAlignment(subject));
    it('answers unknown keys with not_found (or an empty list), not an error', () => checkMissingKeys(subject));
    it('maps a failing upstream to catalogued CONN_ERR_* errors', () => checkErrorMapping(subject));
    it('honours cancellation: settles promptly and closes the upstream request', () => checkCancellation(subject));
  });
}
