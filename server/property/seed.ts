// Demo compounds (development only): one compound in 埇桥区 (division 341302101) with its property office,
// residents and camera channels, whose community's 网格员 is the seeded village contact of that division (王建华).
// Camera URLs point at a local RTSP server; tests register their own cameras.
import type { PropertyRepository } from './repository.ts';

export const PROPERTY_SEED = {
  compound: 'cp-kangju',
  staff: { liu: 'ps-kangju-liu' },
  residents: { chen: 'pr-kangju-chen', sun: 'pr-kangju-sun' },
} as const;

export async function seedPropertyDemo(repo: PropertyRepository): Promise<void> {
  const S = PROPERTY_SEED;
  if (await repo.getCompound(S.compound)) return;
  await repo.transaction(async (tx) => {
    await tx.insertCompound({
      id: S.compound, name: '康居小区', address: '宿州市埇桥区符离镇康居路 8 号', region: '341302101201',
      propertyCompany: '康居物业服务中心', community: '康居社区居委会', policeDepartmentId: '341302101-ga',
    });
    await tx.insertPerson({ id: S.staff.liu, compoundId: S.compound, kind: 'property', name: '刘晓东', unit: null });
    await tx.insertPerson({ id: S.residents.chen, compoundId: S.compound, kind: 'resident', name: '陈桂兰', unit: '3 号楼 2 单元 501' });
    await tx.insertPerson({ id: S.residents.sun, compoundId: S.compound, kind: 'resident', name: '孙立平', unit: '5 号楼 1 单元 302' });
  });
}
