// Seed directory: a Suzhou(宿州)-like region tree — 1 city, 1 district and 4 counties, 70
// townships, 437 villages — with a terminal at every region (513), department offices at city,
// county and township level, their officials, and published 领导接访日 reception days.
// Deterministic: the same `now` gives the same directory. Names are illustrative, not a roster.
import type { Department, Official, ReceptionDay, Region, Terminal } from './types.ts';
import type { Directory } from './repository.ts';

export const CITY = { code: '341300', name: '宿州市' };

export const COUNTIES: { code: string; name: string; townships: string[] }[] = [
  { code: '341302', name: '埇桥区', townships: ['符离镇', '大营镇', '大店镇', '栏杆镇', '时村镇', '蒿沟镇', '夹沟镇', '永安镇', '褚兰镇', '灰古镇', '桃园镇', '曹村镇'] },
  { code: '341321', name: '砀山县', townships: ['砀城镇', '曹庄镇', '周寨镇', '葛集镇', '朱楼镇', '良梨镇', '程庄镇', '唐寨镇', '官庄坝镇', '李庄镇', '关帝庙镇', '玄庙镇'] },
  { code: '341322', name: '萧县', townships: ['龙城镇', '黄口镇', '杨楼镇', '闫集镇', '新庄镇', '刘套镇', '马井镇', '酒店镇', '永堌镇', '白土镇', '官桥镇', '丁里镇', '王寨镇', '庄里乡', '孙圩子乡', '赵庄镇', '圣泉镇'] },
  { code: '341323', name: '灵璧县', townships: ['灵城镇', '韦集镇', '黄湾镇', '娄庄镇', '杨疃镇', '尹集镇', '浍沟镇', '尤集镇', '高楼镇', '虞姬镇', '冯庙镇', '渔沟镇', '朝阳镇', '向阳乡', '大路乡', '禅堂乡'] },
  { code: '341324', name: '泗县', townships: ['泗城镇', '墩集镇', '丁湖镇', '草庙镇', '山头镇', '刘圩镇', '大庄镇', '长沟镇', '黑塔镇', '大杨乡', '草沟镇', '屏山镇', '瓦坊乡'] },
];

/** Six villages per township, seven in every fifth: 437 villages, 513 terminals in all. */
export const VILLAGES_PER_TOWNSHIP = 6;

/** Department kinds and their office names at city/county level and at township level. */
export const DEPARTMENT_KINDS: { kind: string; county: string; township: string | null }[] = [
  { kind: 'xfj', county: '信访局', township: '信访办' },
  { kind: 'rs', county: '人力资源和社会保障局', township: null },
  { kind: 'zrzy', county: '自然资源和规划局', township: '自然资源所' },
  { kind: 'zj', county: '住房和城乡建设局', township: null },
  { kind: 'ga', county: '公安局', township: '派出所' },
  { kind: 'mz', county: '民政局', township: '民政办' },
  { kind: 'nync', county: '农业农村局', township: '农业综合服务站' },
  { kind: 'wsjk', county: '卫生健康委员会', township: null },
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗'];
const PLACE_SUFFIXES = ['庄', '楼', '集', '圩', '庙', '湖', '寨', '营', '店', '桥', '园', '洼'];
const GIVEN = ['建国', '秀英', '志强', '海燕', '国庆', '丽华', '卫东', '桂兰', '明亮', '晓峰', '春梅', '德华', '玉兰', '振华', '红霞', '新民'];

export const departmentId = (regionCode: string, kind: string) => `${regionCode}-${kind}`;
export const terminalId = (regionCode: string) => `T${regionCode}`;
/** The head of an office: H341321-rs heads 砀山县人社局. */
export const headId = (departmentId: string) => `H${departmentId}`;

export interface SeedOptions {
  /** Reception days are published for the weeks after this instant. */
  now?: Date;
  officialsPerCountyDepartment?: number;
}

export function buildDirectory(opts: SeedOptions = {}): Directory {
  const now = opts.now ?? new Date();
  const perDept = opts.officialsPerCountyDepartment ?? 3;
  const regions: Region[] = [{ code: CITY.code, name: CITY.name, level: 'city', parentCode: null }];
  const fullName = new Map<string, string>([[CITY.code, CITY.name]]);

  COUNTIES.forEach((county, ci) => {
    regions.push({ code: county.code, name: county.name, level: 'county', parentCode: CITY.code });
    fullName.set(county.code, county.name);
    county.townships.forEach((township, ti) => {
      const tcode = `${county.code}${String(100 + ti + 1)}`;
      regions.push({ code: tcode, name: township, level: 'township', parentCode: county.code });
      fullName.set(tcode, `${county.name}${township}`);
      const used = new Set<string>();
      const villages = VILLAGES_PER_TOWNSHIP + (ti % 5 === 0 ? 1 : 0);
      for (let vi = 0; vi < villages; vi++) {
        let k = ci * 31 + ti * 7 + vi * 3;
        let name: string;
        do {
          name = `${SURNAMES[k % SURNAMES.length]}${PLACE_SUFFIXES[(k * 5 + vi) % PLACE_SUFFIXES.length]}村`;
          k++;
        } while (used.has(name));
        used.add(name);
        const vcode = `${tcode}${String(200 + vi + 1)}`;
        regions.push({ code: vcode, name, level: 'village', parentCode: tcode });
        fullName.set(vcode, `${county.name}${township}${name}`);
      }
    });
  });

  const terminals: Terminal[] = regions.map((r) => ({
    id: terminalId(r.code),
    name: `${fullName.get(r.code)}视频接访点`,
    level: r.level,
    regionCode: r.code,
    parentRegionCode: r.parentCode,
  }));

  const departments: Department[] = [];
  for (const r of regions) {
    if (r.level === 'village') continue;
    for (const k of DEPARTMENT_KINDS) {
      const office = r.level === 'township' ? k.township : k.county;
      if (!office) continue;
      departments.push({ id: departmentId(r.code, k.kind), kind: k.kind, name: `${fullName.get(r.code)}${office}`, level: r.level, regionCode: r.code });
    }
  }

  let n = 0;
  const personName = () => {
    n++;
    return `${SURNAMES[(n * 7) % SURNAMES.length]}${GIVEN[(n * 3) % GIVEN.length]}`;
  };
  const officials: Official[] = [];
  for (const d of departments) {
    const count = d.level === 'township' ? 1 : perDept;
    for (let i = 1; i <= count; i++) {
      officials.push({ id: `O${d.regionCode}-${d.kind}-${i}`, name: personName(), departmentId: d.id, level: d.level, regionCode: d.regionCode, maxSessions: i === 1 ? 2 : 1, post: null });
    }
    // The office's head (部门负责人): approves extensions and signs replies off (a second person).
    officials.push({ id: headId(d.id), name: personName(), departmentId: d.id, level: d.level, regionCode: d.regionCode, maxSessions: 1, post: null, head: true });
  }

  // Leaders receive petitioners on published days, organised by the 信访局 of their region.
  const leaderPosts: { region: string; post: string; portfolio: string }[] = [
    { region: CITY.code, post: '副市长', portfolio: '城乡建设、自然资源' },
    { region: CITY.code, post: '市信访局局长', portfolio: '信访工作' },
    ...COUNTIES.map((c) => ({ region: c.code, post: c.name.endsWith('区') ? '副区长' : '副县长', portfolio: '社会保障、农业农村' })),
  ];
  const receptionDays: ReceptionDay[] = [];
  leaderPosts.forEach((l, li) => {
    const official: Official = {
      id: `L${l.region}-${li + 1}`,
      name: personName(),
      departmentId: departmentId(l.region, 'xfj'),
      level: l.region === CITY.code ? 'city' : 'county',
      regionCode: l.region,
      maxSessions: 1,
      post: l.post,
    };
    officials.push(official);
    for (let week = 0; week < 4; week++) {
      // 09:00 China time (UTC+8) on the same weekday each week, starting the day after `now`.
      const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1 + week * 7 + (li % 5), 1, 0));
      const ymd = day.toISOString().slice(0, 10).replaceAll('-', '');
      receptionDays.push({
        id: `RD${l.region}-${li + 1}-${ymd}`,
        officialId: official.id,
        leaderName: official.name,
        post: l.post,
        portfolio: l.portfolio,
        departmentId: official.departmentId,
        regionCode: l.region,
        place: `${fullName.get(l.region)}信访接待中心`,
        startsAt: day.toISOString(),
        slotMinutes: 30,
        slots: 8,
        capacityPerSlot: 2,
      });
    }
  });

  return { regions, terminals, departments, officials, receptionDays };
}

