// The CRM simulator's public surface.
export { createCrmSimulator, CRM_API_PREFIX, CRM_MAX_BATCH_IDS, CRM_OVERSIZED_BYTES, type CrmSimulator, type CrmSimulatorOptions } from './crm-simulator.ts';
export { PATCHABLE_FIELDS, type CrmContact } from './crm-contact-store.ts';
