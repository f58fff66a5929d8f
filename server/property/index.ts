// 红色物业 (compound property service): the domain's public face for the app.
export { PropertyService, type PropertyDirectory, type PropertyEvents } from './service.ts';
export { PropertyRepository } from './repository.ts';
export { propertyMigrations } from './migrations.ts';
export { createPropertyRouter } from './router.ts';
export { seedPropertyDemo, PROPERTY_SEED } from './seed.ts';
