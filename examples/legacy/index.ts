// The legacy system simulators and their shared demo data (examples/legacy/README.md).
export { createRandom, generateDemoData, type DemoContact, type DemoData, type DemoDataOptions, type DemoOrder, type DemoOrderItem, type DemoPayment, type DemoShipment, type DemoTicket } from './demo-data.ts';
export { createSimulator, defaultKnobs, type Simulator, type SimulatorKnobs, type SimulatorStats } from './simulator-kit.ts';
export { DEFAULT_BASE_PORT, startLegacySystems, type LegacySystems, type LegacySystemsOptions } from './start-legacy-systems.ts';
export { createCrmSimulator, type CrmSimulator } from './crm/index.ts';
export { createHelpdeskSimulator, type HelpdeskSimulator } from './helpdesk/index.ts';
export { createPgliteShopDatabase, createPgShopDatabase, createShopSimulator, seedShopDatabase, startShop, type ShopDatabase } from './shop/index.ts';
export { createWmsSimulator, type WmsSimulator } from './wms/index.ts';
