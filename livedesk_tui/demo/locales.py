"""Name, place, company and phone pools the demo data set draws from, one pool per locale.

Every name carries its own ASCII spelling, so e-mail addresses are built without any run-time
transliteration. Companies and domains are invented; every domain is under ``example`` so no
demo address can belong to a real person.

Pools are written compactly: entries separated by ``|``, fields by ``/`` (names) or ``@``
(company and domain).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    """A country a contact may live in, with its cities and mobile numbering."""

    country: str
    """The English name, as most help desks store it."""
    local_country: str
    """The name as someone from there may type it."""
    code: str
    """ISO 3166-1 alpha-2."""
    dial: str
    """E.164 country prefix, with the plus."""
    mobile: tuple[str, ...]
    """National mobile prefixes that follow the country code."""
    digits: int
    """Digits after the mobile prefix."""
    cities: tuple[tuple[str, str], ...]
    """(English name, local name)."""


@dataclass(frozen=True, slots=True)
class Locale:
    """How people from one language area are named, and where they live and work."""

    code: str
    weight: float
    given: tuple[tuple[str, str, str], ...]
    """(display, ASCII, gender ``m``/``f``)."""
    family: tuple[tuple[str, str, str], ...]
    """(display for men, display for women, ASCII)."""
    family_first: bool
    separators: tuple[str, ...]
    """Between the two parts of a name; drawn at random (a repeat makes one more likely)."""
    romanised: float
    """Share of people who write their name in Latin letters, given name first."""
    regions: tuple[Region, ...]
    companies: tuple[tuple[str, str], ...]
    """(name, domain)."""
    mail_domains: tuple[str, ...]
    language: str
    descriptions: tuple[str, ...]


def _given(spec: str) -> tuple[tuple[str, str, str], ...]:
    """``"翔太/shota/m|陽菜/hina/f"`` -> ``(("翔太", "shota", "m"), ("陽菜", "hina", "f"))``."""
    entries = []
    for entry in spec.split("|"):
        display, ascii_name, gender = entry.split("/")
        entries.append((display, ascii_name, gender))
    return tuple(entries)


def _family(spec: str) -> tuple[tuple[str, str, str], ...]:
    """``"佐藤/sato|Иванов/Иванова/ivanov"``: a female form, when there is one, comes second."""
    entries = []
    for entry in spec.split("|"):
        parts = entry.split("/")
        male, female, ascii_name = (parts[0], *parts) if len(parts) == 2 else parts
        entries.append((male, female, ascii_name))
    return tuple(entries)


def _pairs(spec: str, separator: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(entry.split(separator, 1)) for entry in spec.split("|"))  # type: ignore[misc]


def _region(
    country: str, local: str, code: str, dial: str, mobile: str, digits: int, cities: str
) -> Region:
    return Region(country, local, code, dial, tuple(mobile.split()), digits, _pairs(cities, "/"))


JAPAN = _region(
    "Japan", "日本", "JP", "+81", "90 80 70", 8,
    "Tokyo/東京|Osaka/大阪|Yokohama/横浜|Nagoya/名古屋|Fukuoka/福岡|Sapporo/札幌|Kyoto/京都|Sendai/仙台",
)  # fmt: skip
CHINA = _region(
    "China", "中国", "CN", "+86", "138 139 186 150 177", 8,
    "Shanghai/上海|Beijing/北京|Shenzhen/深圳|Hangzhou/杭州|Guangzhou/广州|Chengdu/成都",
)  # fmt: skip
TAIWAN = _region("Taiwan", "台灣", "TW", "+886", "9", 8, "Taipei/台北|Kaohsiung/高雄")
HONG_KONG = _region("Hong Kong", "香港", "HK", "+852", "5 6 9", 7, "Hong Kong/香港")
SINGAPORE = _region("Singapore", "新加坡", "SG", "+65", "8 9", 7, "Singapore/新加坡")
KOREA = _region(
    "South Korea", "대한민국", "KR", "+82", "10", 8, "Seoul/서울|Busan/부산|Incheon/인천"
)
USA = _region(
    "United States", "United States", "US", "+1", "415 212 646 512 206", 7,
    "San Francisco/San Francisco|New York/New York|Austin/Austin|Seattle/Seattle",
)  # fmt: skip
UK = _region(
    "United Kingdom", "United Kingdom", "GB", "+44", "7700 7911", 6,
    "London/London|Manchester/Manchester|Edinburgh/Edinburgh",
)  # fmt: skip
FRANCE = _region("France", "France", "FR", "+33", "6 7", 8, "Paris/Paris|Lyon/Lyon|Lille/Lille")
GERMANY = _region(
    "Germany", "Deutschland", "DE", "+49", "151 160 176", 8,
    "Berlin/Berlin|Munich/München|Cologne/Köln|Düsseldorf/Düsseldorf",
)  # fmt: skip
SPAIN = _region(
    "Spain", "España", "ES", "+34", "6 7", 8, "Madrid/Madrid|Barcelona/Barcelona|Sevilla/Sevilla"
)
MEXICO = _region(
    "Mexico", "México", "MX", "+52", "155 133", 7,
    "Mexico City/Ciudad de México|Guadalajara/Guadalajara",
)  # fmt: skip
BRAZIL = _region(
    "Brazil", "Brasil", "BR", "+55", "119 219", 8,
    "São Paulo/São Paulo|Rio de Janeiro/Rio de Janeiro|Curitiba/Curitiba",
)  # fmt: skip
VIETNAM = _region(
    "Vietnam", "Việt Nam", "VN", "+84", "90 91 98", 7,
    "Ho Chi Minh City/Thành phố Hồ Chí Minh|Hanoi/Hà Nội|Da Nang/Đà Nẵng",
)  # fmt: skip
POLAND = _region("Poland", "Polska", "PL", "+48", "50 60 79", 7, "Warsaw/Warszawa|Kraków/Kraków")
RUSSIA = _region(
    "Russia", "Россия", "RU", "+7", "915 926 903", 7,
    "Moscow/Москва|Saint Petersburg/Санкт-Петербург|Novosibirsk/Новосибирск",
)  # fmt: skip
KAZAKHSTAN = _region("Kazakhstan", "Қазақстан", "KZ", "+7", "701 777", 7, "Almaty/Алматы")
UKRAINE = _region("Ukraine", "Україна", "UA", "+380", "50 67", 7, "Kyiv/Київ|Lviv/Львів")
SAUDI = _region("Saudi Arabia", "السعودية", "SA", "+966", "50 55", 7, "Riyadh/الرياض|Jeddah/جدة")
UAE = _region("United Arab Emirates", "الإمارات", "AE", "+971", "50 56", 7, "Dubai/دبي")
EGYPT = _region("Egypt", "مصر", "EG", "+20", "10 12", 8, "Cairo/القاهرة")

_LATIN_DESCRIPTIONS = (
    "Met at the Web Summit booth.",
    "Prefers e-mail. Do not call before 10:00.",
    "Migrated from the old CRM.",
    "Asked about SSO and audit logs.",
    "Reseller in the region.\nInvoices go to accounts@ their domain.",
    "Renewal owner: finance team.",
)

LOCALES: tuple[Locale, ...] = (
    Locale(
        code="ja",
        weight=0.22,
        given=_given(
            "翔太/shota/m|陽菜/hina/f|蓮/ren/m|結衣/yui/f|大輝/daiki/m|美咲/misaki/f|健太/kenta/m|"
            "さくら/sakura/f|悠斗/yuto/m|葵/aoi/f|拓海/takumi/m|由美子/yumiko/f|ひなた/hinata/f|"
            "誠/makoto/m"
        ),
        family=_family(
            "佐藤/sato|鈴木/suzuki|高橋/takahashi|田中/tanaka|伊藤/ito|渡辺/watanabe|山本/yamamoto|"
            "中村/nakamura|小林/kobayashi|加藤/kato|吉田/yoshida|山田/yamada|松本/matsumoto|"
            "井上/inoue|木村/kimura|清水/shimizu"
        ),
        family_first=True,
        separators=(" ", " ", ""),
        romanised=0.1,
        regions=(JAPAN, JAPAN, JAPAN, JAPAN, SINGAPORE),
        companies=_pairs(
            "株式会社サクラ精機@sakura-seiki.example.jp|みらいテック株式会社@mirai-tech.example.jp|"
            "東京ロジスティクス@tokyo-logi.example.jp|合同会社ひかりラボ@hikari-lab.example.jp|"
            "ヤマト食品株式会社@yamato-foods.example.jp|Kobe Digital K.K.@kobe-digital.example.com",
            "@",
        ),
        mail_domains=("example.jp", "mail.example.ne.jp", "example.co.jp"),
        language="ja-JP",
        descriptions=(
            "展示会で名刺交換",
            "請求書払いを希望",
            "担当者変更あり（2025年4月）",
            "API 連携を検討中",
        ),
    ),
    Locale(
        code="zh",
        weight=0.2,
        given=_given(
            "伟/wei/m|芳/fang/f|娜/na/f|秀英/xiuying/f|敏/min/f|静/jing/f|强/qiang/m|磊/lei/m|"
            "军/jun/m|洋/yang/m|婷婷/tingting/f|子涵/zihan/f|浩然/haoran/m|雨桐/yutong/f"
        ),
        family=_family(
            "王/wang|李/li|张/zhang|刘/liu|陈/chen|杨/yang|黄/huang|赵/zhao|吴/wu|周/zhou|徐/xu|"
            "孙/sun|林/lin|何/he|欧阳/ouyang|陳/chen|張/chang"
        ),
        family_first=True,
        separators=("",),
        romanised=0.12,
        regions=(CHINA, CHINA, CHINA, CHINA, TAIWAN, HONG_KONG, SINGAPORE),
        companies=_pairs(
            "深圳星河科技有限公司@xinghe-tech.example.cn|上海云帆信息技术有限公司@yunfan.example.cn|"
            "杭州青禾电子商务有限公司@qinghe-ec.example.cn|北京极光数据@jiguang-data.example.cn|"
            "广州南方贸易有限公司@nanfang-trade.example.cn|台灣雲端股份有限公司@twcloud.example.tw",
            "@",
        ),
        mail_domains=("example.cn", "mail.example.com.cn", "example.tw"),
        language="zh-CN",
        descriptions=("导入自 CRM", "需要开具增值税发票", "关注数据出境合规", "渠道合作伙伴推荐"),
    ),
    Locale(
        code="ko",
        weight=0.07,
        given=_given(
            "민준/minjun/m|서연/seoyeon/f|지호/jiho/m|하은/haeun/f|도윤/doyun/m|수빈/subin/f|"
            "예준/yejun/m|지우/jiwoo/f"
        ),
        family=_family("김/kim|이/lee|박/park|최/choi|정/jung|강/kang|조/cho|윤/yoon"),
        family_first=True,
        separators=("",),
        romanised=0.15,
        regions=(KOREA,),
        companies=_pairs(
            "주식회사 한빛소프트@hanbit-soft.example.kr|서울커머스(주)@seoul-commerce.example.kr|"
            "Daon Labs@daonlabs.example.com",
            "@",
        ),
        mail_domains=("example.kr", "mail.example.co.kr"),
        language="ko-KR",
        descriptions=("카카오톡 상담 선호", "연간 계약 검토 중"),
    ),
    Locale(
        code="en",
        weight=0.14,
        given=_given(
            "Olivia/olivia/f|Liam/liam/m|Emma/emma/f|Noah/noah/m|Ava/ava/f|James/james/m|"
            "Sophia/sophia/f|Ethan/ethan/m|Zoë/zoe/f|Siobhán/siobhan/f|Seán/sean/m|Priya/priya/f"
        ),
        family=_family(
            "Smith/smith|Johnson/johnson|Williams/williams|Brown/brown|O'Connor/oconnor|"
            "García/garcia|Nguyen/nguyen|Patel/patel|MacDonald/macdonald|Taylor/taylor"
        ),
        family_first=False,
        separators=(" ",),
        romanised=0.0,
        regions=(USA, USA, UK, SINGAPORE),
        companies=_pairs(
            "Acme Logistics@acme-logistics.example.com|Northwind Traders@northwind.example.com|"
            "Blue Harbor Analytics@blueharbor.example.com|Globex Corporation@globex.example.com|"
            "Initech@initech.example.com",
            "@",
        ),
        mail_domains=("example.com", "mail.example.org", "example.net"),
        language="en-US",
        descriptions=_LATIN_DESCRIPTIONS,
    ),
    Locale(
        code="fr",
        weight=0.05,
        given=_given(
            "François/francois/m|Amélie/amelie/f|Hélène/helene/f|Jérôme/jerome/m|Léa/lea/f|"
            "Noël/noel/m|Chloé/chloe/f"
        ),
        family=_family(
            "Lefèvre/lefevre|Dubois/dubois|Moreau/moreau|Gagnon/gagnon|Bélanger/belanger|"
            "Fontaine/fontaine"
        ),
        family_first=False,
        separators=(" ",),
        romanised=0.0,
        regions=(FRANCE,),
        companies=_pairs(
            "Société Générale d'Étiquettes@sge.example.fr|"
            "Atelier Lumière SARL@atelier-lumiere.example.fr",
            "@",
        ),
        mail_domains=("example.fr", "mail.example.fr"),
        language="fr-FR",
        descriptions=("Préfère être contacté par e-mail.", "Client depuis 2019."),
    ),
    Locale(
        code="de",
        weight=0.05,
        given=_given(
            "Jürgen/juergen/m|Jörg/joerg/m|Lena/lena/f|Mia/mia/f|Lukas/lukas/m|Käthe/kaethe/f"
        ),
        family=_family(
            "Müller/mueller|Schröder/schroeder|Weiß/weiss|Schmidt/schmidt|Groß/gross|Becker/becker"
        ),
        family_first=False,
        separators=(" ",),
        romanised=0.0,
        regions=(GERMANY,),
        companies=_pairs(
            "Müller & Söhne GmbH@mueller-soehne.example.de|Nordlicht Software AG@nordlicht.example.de",
            "@",
        ),
        mail_domains=("example.de", "mail.example.de"),
        language="de-DE",
        descriptions=("Rückruf erwünscht.", "Rechnung per Post."),
    ),
    Locale(
        code="es",
        weight=0.06,
        given=_given(
            "José/jose/m|María/maria/f|Begoña/begona/f|Íñigo/inigo/m|Lucía/lucia/f|"
            "Andrés/andres/m|João/joao/m|Conceição/conceicao/f"
        ),
        family=_family(
            "Martínez/martinez|Peña/pena|Gonçalves/goncalves|Fernández/fernandez|"
            "Hernández López/hernandez|Araújo/araujo"
        ),
        family_first=False,
        separators=(" ",),
        romanised=0.0,
        regions=(SPAIN, MEXICO, BRAZIL),
        companies=_pairs(
            "Logística Ibérica S.L.@logistica-iberica.example.es|"
            "Café São Jorge Ltda.@cafe-sao-jorge.example.com.br|"
            "Soluciones Pingüino@pinguino.example.mx",
            "@",
        ),
        mail_domains=("example.es", "example.com.br", "example.mx"),
        language="es-ES",
        descriptions=("Prefiere WhatsApp.", "Cliente desde la feria de 2023."),
    ),
    Locale(
        code="vi",
        weight=0.03,
        given=_given("Thị Hương/huong/f|Văn Đức/duc/m|Minh Anh/minhanh/f|Quốc Bảo/bao/m"),
        family=_family("Nguyễn/nguyen|Trần/tran|Lê/le|Phạm/pham"),
        family_first=True,
        separators=(" ",),
        romanised=0.0,
        regions=(VIETNAM,),
        companies=_pairs("Công ty TNHH Sao Việt@saoviet.example.vn", "@"),
        mail_domains=("example.vn",),
        language="vi-VN",
        descriptions=("Liên hệ qua Zalo.",),
    ),
    Locale(
        code="pl",
        weight=0.02,
        given=_given("Łukasz/lukasz/m|Małgorzata/malgorzata/f|Paweł/pawel/m|Zofia/zofia/f"),
        family=_family("Wiśniewski/Wiśniewska/wisniewski|Kowalczyk/kowalczyk|Wójcik/wojcik"),
        family_first=False,
        separators=(" ",),
        romanised=0.0,
        regions=(POLAND,),
        companies=_pairs("Żółw Sp. z o.o.@zolw.example.pl", "@"),
        mail_domains=("example.pl",),
        language="pl-PL",
        descriptions=("Faktura VAT.",),
    ),
    Locale(
        code="ru",
        weight=0.11,
        given=_given(
            "Александр/aleksandr/m|Мария/maria/f|Дмитрий/dmitry/m|Анна/anna/f|Сергей/sergey/m|"
            "Екатерина/ekaterina/f|Олена/olena/f|Тарас/taras/m|Айгерим/aigerim/f"
        ),
        family=_family(
            "Иванов/Иванова/ivanov|Смирнов/Смирнова/smirnov|Кузнецов/Кузнецова/kuznetsov|"
            "Соколов/Соколова/sokolov|Шевченко/shevchenko|Лебедев/Лебедева/lebedev"
        ),
        family_first=False,
        separators=(" ",),
        romanised=0.12,
        regions=(RUSSIA, RUSSIA, KAZAKHSTAN, UKRAINE),
        companies=_pairs(
            "ООО «Северный ветер»@severny-veter.example.ru|ТОВ «Дніпро Софт»@dnipro-soft.example.ua|"
            "Kaspi Digital@kaspi-digital.example.kz",
            "@",
        ),
        mail_domains=("example.ru", "mail.example.ru", "example.kz"),
        language="ru-RU",
        descriptions=("Предпочитает Telegram.", "Счёт на юрлицо."),
    ),
    Locale(
        code="ar",
        weight=0.05,
        given=_given(
            "محمد/mohammed/m|أحمد/ahmed/m|فاطمة/fatima/f|علي/ali/m|نور/nour/f|يوسف/youssef/m|"
            "ليلى/layla/f"
        ),
        family=_family("العتيبي/alotaibi|الحربي/alharbi|حداد/haddad|الخطيب/alkhatib"),
        family_first=False,
        separators=(" ",),
        romanised=0.3,
        regions=(SAUDI, UAE, EGYPT),
        companies=_pairs(
            "شركة الأفق للتقنية@ufuq-tech.example.sa|Gulf Bridge Trading LLC@gulfbridge.example.ae",
            "@",
        ),
        mail_domains=("example.sa", "example.ae"),
        language="ar-SA",
        descriptions=("يفضل التواصل عبر واتساب",),
    ),
)
"""Weights sum to 1; Japanese and Chinese lead because LiveDesk's users do."""
