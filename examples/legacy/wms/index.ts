// The WMS simulator's public surface.
export { createWmsSimulator, WMS_MAX_ORDERS, WMS_OVERSIZED_BYTES, WMS_SHIPMENTS_PATH, type WmsSimulator, type WmsSimulatorOptions } from './wms-simulator.ts';
export { HOSTILE_KINDS, hostileDocument, type HostileDocument, type HostileKind } from './hostile-documents.ts';
export { QUALF_SHIPMENT_END, QUALF_SHIPMENT_START, STATUS_BY_STTRG, STTRG_BY_STATUS, TDLNR_BY_CARRIER } from './idoc-shipments.ts';
export type { WmsItem, WmsShipment, WmsStatus } from './wms-shipment-store.ts';
