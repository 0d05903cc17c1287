"""The city's organisations: command centres, the 12345 hotline, departments, street offices, courts,
procuratorates and mediation committees — and which ones handle which category."""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.demo.geography import DISTRICTS
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind

K = UnitKind

# (abbreviation, name, kind) of the city's departments
CITY_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("zjj", "市住房和城乡建设局", K.DEPARTMENT), ("sthj", "市生态环境局", K.DEPARTMENT),
    ("scjg", "市市场监督管理局", K.DEPARTMENT), ("rsj", "市人力资源和社会保障局", K.DEPARTMENT),
    ("gaj", "市公安局", K.POLICE), ("jtj", "市交通运输局", K.DEPARTMENT), ("jyj", "市教育局", K.DEPARTMENT),
    ("wjw", "市卫生健康委员会", K.DEPARTMENT), ("cgj", "市城市管理局", K.DEPARTMENT),
    ("zrzy", "市自然资源和规划局", K.DEPARTMENT), ("slj", "市水利局", K.DEPARTMENT),
    ("nyj", "市农业农村局", K.DEPARTMENT), ("mzj", "市民政局", K.DEPARTMENT), ("sfj", "市司法局", K.LEGAL_OFFICE),
    ("xfj", "市信访局", K.DEPARTMENT), ("zy", "市中级人民法院", K.COURT), ("jcy", "市人民检察院", K.PROCURATORATE),
    ("fgw", "市发展和改革委员会", K.DEPARTMENT), ("gxj", "市工业和信息化局", K.DEPARTMENT),
    ("czj", "市财政局", K.DEPARTMENT), ("swj", "市税务局", K.DEPARTMENT), ("wgl", "市文化广电和旅游局", K.DEPARTMENT),
    ("tyj", "市体育局", K.DEPARTMENT), ("ybj", "市医疗保障局", K.DEPARTMENT), ("yjj", "市应急管理局", K.DEPARTMENT),
    ("swgj", "市商务局", K.DEPARTMENT), ("dsj", "市数据局", K.DEPARTMENT), ("tyjr", "市退役军人事务局", K.DEPARTMENT),
    ("gzw", "市人民政府国有资产监督管理委员会", K.DEPARTMENT), ("jrj", "市地方金融管理局", K.DEPARTMENT),
    ("kjj", "市科学技术局", K.DEPARTMENT), ("mzzj", "市民族宗教事务局", K.DEPARTMENT),
    ("jw", "市纪委监委", K.DEPARTMENT), ("zwb", "市政务服务管理办公室", K.DEPARTMENT),
    ("yzj", "市邮政管理局", K.DEPARTMENT), ("txb", "市通信发展管理办公室", K.DEPARTMENT),
]

# (abbreviation, name suffix, kind) of the units every district has
DISTRICT_UNITS: list[tuple[str, str, str]] = [
    ("zjj", "住房和城乡建设局", K.DEPARTMENT), ("cgj", "城市管理局", K.DEPARTMENT),
    ("gaj", "公安分局", K.POLICE), ("rsj", "人力资源和社会保障局", K.DEPARTMENT),
    ("scjg", "市场监督管理局", K.DEPARTMENT), ("fy", "人民法院", K.COURT),
    ("jcy", "人民检察院", K.PROCURATORATE), ("tj", "人民调解委员会", K.MEDIATION_COMMITTEE),
]

CITY_MEDIATION = [
    ("yt", "市医疗纠纷人民调解委员会"), ("jt", "市道路交通事故纠纷人民调解委员会"), ("ld", "市劳动人事争议调解中心"),
]

# second-level category → city departments (first = the usual lead unit)
BY_SECOND_LEVEL: dict[str, list[str]] = {
    "住房保障与房地产": ["zjj"], "城市建设和市政管理": ["cgj", "zjj"], "安全生产": ["yjj"], "供水供电供气": ["zjj"],
    "国有土地上房屋征收与补偿": ["zjj", "zrzy"], "集体土地上房屋拆迁与补偿": ["zrzy"], "城乡规划": ["zrzy"],
    "建筑市场": ["zjj"], "工程质量": ["zjj"], "村镇建设": ["zjj", "nyj"],
    "环境污染": ["sthj"], "环保管理": ["sthj"], "建设项目审批": ["sthj", "zwb"],
    "工资福利": ["rsj"], "劳动关系": ["rsj", "ld"], "就业培训": ["rsj"], "城镇职工社会保险": ["rsj", "ybj"],
    "城镇居民社会保险": ["rsj", "ybj"], "退休政策及待遇": ["rsj"], "劳动保护": ["rsj"], "社保基金管理": ["rsj"],
    "客货运输": ["jtj"], "建设管理": ["jtj"], "出租车管理": ["jtj"], "邮政管理": ["yzj"], "交通运输": ["jtj"],
    "教育行政管理": ["jyj"], "教育收费": ["jyj", "scjg"], "教师队伍和待遇": ["jyj"], "考试招生": ["jyj"],
    "教育体制": ["jyj"], "失学辍学": ["jyj"], "文化": ["wgl"], "体育": ["tyj"], "文物管理": ["wgl"],
    "医政监管": ["wjw"], "医患纠纷": ["wjw", "yt"], "食品药品监管": ["scjg"], "公共卫生": ["wjw"], "人口计生": ["wjw"],
    "市场监管": ["scjg"], "商业贸易": ["swgj"], "旅游管理": ["wgl"], "质监检验检疫": ["scjg"],
    "社会治安": ["gaj"], "仲裁与调解": ["sfj", "tj"], "法律服务": ["sfj"], "交通管理": ["gaj", "jt"],
    "户籍证件": ["gaj"], "诉讼": ["zy", "fy"], "行政复议": ["sfj"], "刑案侦破": ["gaj"], "警务督察": ["gaj"],
    "刑罚执行": ["sfj"], "法制建设": ["sfj"],
    "社会救助": ["mzj"], "社会服务": ["mzj"], "优抚": ["tyjr"], "复退安置": ["tyjr"], "福利慈善": ["mzj"],
    "基层选举和社区建设": ["mzj"], "区划地名": ["mzj"], "救灾募捐": ["yjj", "mzj"], "民间组织": ["mzj"],
    "村务管理": ["nyj"], "惠农补贴": ["nyj", "czj"], "土地承包经营": ["nyj"], "水利水电": ["slj"],
    "林业管理": ["zrzy"], "动物防疫": ["nyj"], "扶贫开发": ["nyj"], "农资农技": ["nyj"],
    "土地征收": ["zrzy"], "土地资源管理": ["zrzy"], "矿产资源管理": ["zrzy"],
    "金融财税": ["jrj", "swj"], "保险证券期货": ["jrj"], "国资监管": ["gzw"], "宏观调控": ["fgw"],
    "能源管理": ["fgw"], "企业破产": ["zy"], "电信": ["txb"], "信息化建设": ["dsj"], "知识产权": ["scjg"],
    "科学技术": ["kjj"], "民族宗教": ["mzzj"],
}
BY_TOP_LEVEL: dict[str, list[str]] = {
    "城乡建设": ["zjj"], "环境保护": ["sthj"], "劳动和社会保障": ["rsj"], "交通运输": ["jtj"], "教育文体": ["jyj"],
    "卫生计生": ["wjw"], "商贸旅游": ["scjg"], "政法": ["sfj"], "民政": ["mzj"], "农村农业": ["nyj"],
    "国土资源": ["zrzy"], "经济管理": ["fgw"], "党务政务": ["zwb"], "科技与信息产业": ["gxj"], "纪检监察": ["jw"],
}


@dataclass
class Org:
    """The units by role, as the history generator needs them."""

    command_centre: Unit
    hotline: Unit
    city: dict[str, Unit]  # abbreviation → city unit (departments and city mediation committees)
    district: dict[str, dict[str, Unit]]  # district code → abbreviation → unit ("cc" = its command centre)
    streets: dict[str, Unit]  # street area code → street office


def create_units(areas: dict[str, Area]) -> Org:
    city_area = areas["3212"]
    rows: list[Unit] = [
        Unit(code="3212-CC", name="市社会治理现代化指挥中心", short_name="市指挥中心", kind=K.COMMAND_CENTRE,
             level=Level.CITY, area=city_area, phone="0523-86839110"),
        Unit(code="3212-HL", name="市12345政务服务便民热线中心", short_name="12345热线", kind=K.HOTLINE_CENTRE,
             level=Level.CITY, area=city_area, phone="12345"),
    ]
    for abbr, name, kind in CITY_DEPARTMENTS:
        rows.append(Unit(code=f"3212-{abbr.upper()}", name=name, short_name=name.removeprefix("市"), kind=kind,
                         level=Level.CITY, area=city_area))
    for abbr, name in CITY_MEDIATION:
        rows.append(Unit(code=f"3212-{abbr.upper()}", name=name, short_name=name.removeprefix("市"),
                         kind=K.MEDIATION_COMMITTEE, level=Level.CITY, area=city_area))
    for district in DISTRICTS:
        area = areas[district.code]
        rows.append(Unit(code=f"{district.code}-CC", name=f"{district.name}社会治理现代化指挥中心",
                         short_name=f"{district.name}指挥中心", kind=K.COMMAND_CENTRE, level=Level.DISTRICT,
                         area=area))
        for abbr, suffix, kind in DISTRICT_UNITS:
            rows.append(Unit(code=f"{district.code}-{abbr.upper()}", name=f"{district.name}{suffix}",
                             short_name=f"{district.name[:2]}{suffix}", kind=kind, level=Level.DISTRICT, area=area))
    for code, area in areas.items():
        if area.level == Level.STREET:
            suffix = "办事处" if area.name.endswith("街道") else "人民政府"
            rows.append(Unit(code=f"{code}-SO", name=f"{area.name}{suffix}", short_name=area.name,
                             kind=K.STREET_OFFICE, level=Level.STREET, area=area))
    Unit.objects.bulk_create(rows, batch_size=500)
    return load_org()


def load_org() -> Org:
    """The demo's units by role, from the database."""
    by_code = {u.code: u for u in Unit.objects.filter(area__path__startswith="3212").select_related("area")}
    return Org(
        command_centre=by_code["3212-CC"],
        hotline=by_code["3212-HL"],
        city={abbr: by_code[f"3212-{abbr.upper()}"]
              for abbr in [a for a, _n, _k in CITY_DEPARTMENTS] + [a for a, _n in CITY_MEDIATION]},
        district={d.code: {"cc": by_code[f"{d.code}-CC"],
                           **{abbr: by_code[f"{d.code}-{abbr.upper()}"] for abbr, _s, _k in DISTRICT_UNITS}}
                  for d in DISTRICTS},
        streets={u.area.code: u for u in by_code.values() if u.kind == K.STREET_OFFICE},
    )


def departments_for(top: str, second: str) -> list[str]:
    """The unit abbreviations that handle a category, most usual first."""
    return BY_SECOND_LEVEL.get(second) or BY_TOP_LEVEL.get(top) or ["zwb"]
