// The Shop simulator's public surface.
export { createShopSimulator, type ShopSimulatorOptions } from './shop-simulator.ts';
export { startShop, type RunningShop, type StartShopOptions } from './start-shop.ts';
export { createPgliteShopDatabase, createPgShopDatabase, type ShopDatabase, type ShopQueryable } from './shop-database.ts';
export { seedShopDatabase, shopSchemaSql, type SeedOptions, type SeedReport } from './shop-seed.ts';
export { MAX_CUSTOMER_NOS, SHOP_NS, SHOP_OPERATIONS, shopWsdl, soapActionOf, type ShopOperation } from './shop-wsdl.ts';
export type { ShopOrder, ShopOrderItem, ShopPayment } from './shop-queries.ts';
