export * from './platform';
export * from './names';
export * from './create-platform';
export { SimPlatform, type AddNetworkSpec, type SimPlatformOptions } from './sim/sim-platform';
export type { DatastoreDef } from './sim/inventory-def';
export type { FaultOp, FaultOptions } from './sim/faults';
export * from './file-disk-handle';
export { VspherePlatform, type VspherePlatformOptions } from './vsphere/vsphere-platform';
export { loadSiteFile, type SiteFile } from './vsphere/site-file';
