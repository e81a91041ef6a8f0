"""Chinese names of the demo district's organisations and sites, beside their English ones.

Real mines keep their real Chinese names (三山岛, 焦家, 玲珑 …); the fictional places are
written from the syllables they are made of (``Baishan`` → 白山), and the kinds of site and
company from the usage of the trade's registers (``… Mine`` → ``…金矿``, ``… Gold Mining Co.``
→ ``…黄金矿业有限公司``). Every English name the demo makes has a Chinese one: a name this
module cannot write is an error (the demo's tests build the whole district).
"""

from __future__ import annotations

MINES: dict[str, str] = {
    "Sanshandao": "三山岛", "Xincheng": "新城", "Jiaojia": "焦家", "Haiyu": "海域",
    "Xiling": "西岭", "Lingnan-Fushan": "岭南-富山", "Linglong": "玲珑",
    "Dayingezhuang": "大尹格庄", "Penglai": "蓬莱", "Xiadian": "夏甸", "Shaling": "纱岭",
    "Laowan": "老湾", "Zaozigou": "早子沟", "Yidinan": "以地南", "Liba-Jinshan": "李坝-金山",
    "Daqiao": "大桥", "Woxi": "沃溪", "Wangu": "万古", "Wulashan-Hademen": "乌拉山-哈达门",
    "Haoyaoerhudong": "浩尧尔忽洞", "Jinchanggouliang": "金厂沟梁", "Bilige": "毕力格",
    "Saiwayaerdun": "萨瓦亚尔顿", "Dachaidan": "大柴旦", "Jiama": "甲玛",
    "Xiong Village": "雄村", "Bangpu": "邦铺", "Duolong": "多龙", "Beiya": "北衙",
    "Yixingzhai": "义兴寨", "Shuiyindong": "水银洞", "Nibao": "泥堡", "Dadonggou": "大东沟",
    "Jinshan": "金山",
}
"""The named mines of the plan's Column 1 in the demo."""

QUALIFIERS: dict[str, str] = {"Jiangxi": "江西", "Xinjiang": "新疆"}

SYLLABLES: dict[str, str] = {
    "Bai": "白", "Hong": "红", "Qing": "青", "Shi": "石", "Long": "龙", "Feng": "凤",
    "Yun": "云", "Dong": "东", "Xi": "西", "Nan": "南", "Bei": "北", "Ma": "马", "Niu": "牛",
    "Yang": "羊", "Lu": "鹿", "Tai": "太", "Ping": "平", "Huang": "黄", "Lao": "老", "Gao": "高",
    "Chang": "长", "Song": "松", "Liu": "柳", "Tao": "桃", "Mei": "梅", "Zhu": "竹", "Wu": "五",
    "Jiu": "九", "Qian": "千", "Hei": "黑", "Lan": "蓝",
    "shan": "山", "gou": "沟", "ling": "岭", "ping": "坪", "he": "河", "wan": "湾", "po": "坡",
    "zhuang": "庄", "ya": "崖", "yu": "峪", "chuan": "川", "feng": "峰", "gang": "岗",
    "tan": "滩", "ao": "坳", "hu": "湖", "men": "门", "jing": "井", "yao": "窑", "keng": "坑",
    "ba": "坝", "chong": "冲",
}
"""The syllables of the fictional place names (aurum.demo.registry), as characters."""

SITE_KINDS: dict[str, str] = {
    " Tailings Facility": "尾矿库", " Mine": "金矿", " Mill": "选矿厂", " Heap Leach": "堆浸场",
    " Smelter": "冶炼厂", " Refinery": "精炼厂",
}

REGIONS: dict[str, str] = {
    "Jiaodong": "胶东", "Laizhou Bay": "莱州湾", "Peninsula": "半岛", "Penglai Coast": "蓬莱",
    "Xiadian": "夏甸", "Laiyang Hills": "莱阳", "Bohai Shore": "渤海",
    "Zhaoyuan": "招远", "Muping-Rushan": "牟平乳山", "Tongbai Hills": "桐柏",
    "Lesser Qinling": "小秦岭", "Songshan": "嵩山", "Funiu Range": "伏牛山",
    "Xiong'er Ridge": "熊耳山", "Central Plains": "中原", "Yellow River": "黄河",
    "Xiaoqinling": "小秦岭", "Luoning": "洛宁", "Gannan": "甘南", "Longnan": "陇南",
    "Taohe Valley": "洮河", "Gannan Plateau": "甘南高原", "Xuefeng Mountain": "雪峰山",
    "Xuefeng": "雪峰", "Mufu Range": "幕阜山", "Xiangzhong": "湘中", "Xiangjiang": "湘江",
    "Poyang Basin": "鄱阳", "Ganjiang": "赣江", "Yinshan": "阴山", "Xilamulun": "西拉木伦",
    "Gobi Edge": "戈壁", "Steppe": "草原", "Northern Steppe": "北方草原", "Yili Valley": "伊犁",
    "Junggar": "准噶尔", "Qaidam": "柴达木", "East Kunlun": "东昆仑", "Lhasa": "拉萨",
    "Yarlung": "雅鲁藏布", "Ailao Mountain": "哀牢山", "Erhai": "洱海", "Dianxi": "滇西",
    "Wutai": "五台", "Taihang": "太行", "Qianxinan": "黔西南", "Zhenfeng Hills": "贞丰",
    "Beipan River": "北盘江", "Puan": "普安", "Liaodong": "辽东", "West Liaoning": "辽西",
    "Yanshan": "燕山", "Bashang": "坝上", "Changbai": "长白山", "Tonghua Hills": "通化",
    "Minxi": "闽西", "Southeast Coast": "东南沿海", "Qinling North": "秦岭北", "Hanzhong": "汉中",
    "Tongguan": "潼关", "Wanbei": "皖北", "Jiangnan": "江南", "Tianshan-Kunlun": "天山昆仑",
    "Wumeng": "乌蒙", "Gangdese": "冈底斯",
}
"""The regions the demo's companies are named after."""

COMPANY_KINDS: tuple[tuple[str, str], ...] = (
    # longest first: "Gold Mining Co." before "Mining Co."
    (" Precious Metals Recycling Co.", "贵金属回收有限公司"),
    (" Smelting & Refining Co.", "冶炼有限公司"), (" Copper-Gold Smelting Co.", "铜金冶炼有限公司"),
    (" Copper-Gold Group", "铜金集团有限公司"), (" Gold-Silver Co.", "金银有限公司"),
    (" Copper-Gold Co.", "铜金有限公司"), (" Polymetallic Co.", "多金属有限公司"),
    (" Precious Alloys Co.", "贵金属合金有限公司"), (" New Materials Co.", "新材料有限公司"),
    (" Ore Processing Co.", "矿石加工有限公司"), (" Urban Mining Co.", "城市矿产有限公司"),
    (" Heap Leach Co.", "堆浸有限公司"), (" Gold Mining Co.", "黄金矿业有限公司"),
    (" Deep Mining Co.", "深部矿业有限公司"), (" Deep Gold Co.", "深部黄金有限公司"),
    (" Vein Mining Co.", "脉金矿业有限公司"), (" Vein Gold Co.", "脉金有限公司"),
    (" Recycling Co.", "再生资源有限公司"), (" Processing Co.", "选矿有限公司"),
    (" Smelting Co.", "冶炼有限公司"), (" Refining Co.", "精炼有限公司"),
    (" Mining Co.", "矿业有限公司"), (" Gold Group", "黄金集团有限公司"),
    (" Gold Co.", "黄金有限公司"),
)
"""Kinds of company by the end of their English name, in the trade registers' Chinese."""


def _place(name: str) -> str:
    """A mine's or place's Chinese name: a named mine, or a fictional place by syllables."""
    base, _, qualifier = name.partition(" (")
    if base in MINES:
        zh = MINES[base]
    else:
        # A fictional name is one capitalised syllable followed by one lower-case one.
        head = next((s for s in SYLLABLES if s[0].isupper() and base.startswith(s)
                     and base[len(s):] in SYLLABLES), None)
        if head is None:
            raise KeyError(f"no Chinese name for the place {base!r}")
        zh = SYLLABLES[head] + SYLLABLES[base[len(head):]]
    if qualifier:
        zh += f"（{QUALIFIERS[qualifier.rstrip(')')]}）"
    return zh


def site_name_zh(name: str) -> str:
    """The Chinese name of a demo site (``Sanshandao Mine`` → ``三山岛金矿``).

    Raises
    ------
    KeyError
        A name the demo does not make.
    """
    for suffix, kind in SITE_KINDS.items():
        base, found, rest = name.partition(suffix)
        if found:
            qualifier = f"（{QUALIFIERS[rest.strip(' ()')]}）" if rest else ""
            return _place(base) + kind + qualifier
    raise KeyError(f"no Chinese name for the site {name!r}")


def organisation_name_zh(name: str) -> str:
    """The Chinese name of a demo organisation (``Jiaodong Gold Mining Co.`` →
    ``胶东黄金矿业有限公司``).

    Raises
    ------
    KeyError
        A name the demo does not make.
    """
    for suffix, kind in COMPANY_KINDS:
        if name.endswith(suffix):
            return REGIONS[name.removesuffix(suffix)] + kind
    raise KeyError(f"no Chinese name for the organisation {name!r}")
