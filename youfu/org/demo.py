"""A fictional demo bank — 安澜银行 — for trying youfu out: an org tree, ~600 staff, periods, a few moves
and one login per role. Deterministic: the same seed gives the same bank, names and numbers.

    安澜银行总行 (head office) ── 客户服务中心, 审计部
    └── 江州分行 (branch) ── 办公室, 个人金融部(服务办), 财务部, 人力资源部, 运营管理部
        └── 8 支行 (sub-branches, 4 片区) ── 综合部 + 4–6 网点 each (40 outlets)

Bulk inserts are used for people (the audit trail of a demo should begin with what users do, not with
600 "created" entries); units go through treebeard's manager so their paths are right, logins go
through the accounts service, and the historic moves and periods go through the org services.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import disable_auditlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.services import user_create
from youfu.core.errors import ApplicationError
from youfu.org import services
from youfu.org.choices import Gender, Position, UnitKind
from youfu.org.models import Person, PersonMove, Unit

BANK_NAME = "安澜银行"
HEAD_OFFICE_CODE = "100000"
BRANCH_CODE = "110000"
PROVINCE = "江南省"
CITY = "江州市"

# A public password for a local demo database, printed by `youfu serve`; never used for real logins.
DEMO_PASSWORD = "youfu-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str  # a Role value; "" for the administrator
    unit_code: str  # "" for the administrator (whole bank)
    zh: str
    en: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "", "", "系统管理员（全行）", "administrator, whole bank"),
    DemoLogin("fuwuban", Role.SERVICE_OFFICE, BRANCH_CODE, "分行服务办", "service office, branch"),
    DemoLogin(
        "zhihang1", Role.SERVICE_OFFICE, "110100", "城东支行综合部", "service office, 城东支行 sub-branch"
    ),
    DemoLogin("jiancha", Role.INSPECTOR, BRANCH_CODE, "分行检查人员", "inspector, branch"),
    DemoLogin("wangdian", Role.OUTLET_HEAD, "110101", "城东支行营业部网点负责人", "outlet head, one outlet"),
    DemoLogin("yuangong", Role.STAFF, "110101", "城东支行营业部柜员", "staff (teller), same outlet"),
    DemoLogin(
        "kefu", Role.COMPLAINT_HANDLER, HEAD_OFFICE_CODE, "总行客服专员", "complaint handler, head office"
    ),
    DemoLogin("kaoping", Role.APPRAISAL_PANEL, BRANCH_CODE, "分行考评小组", "appraisal panel, branch"),
    DemoLogin(
        "shenji", Role.AUDITOR, HEAD_OFFICE_CODE, "总行审计（只读）", "auditor (read-only), head office"
    ),
)

# (name, 片区, district, main street) of each sub-branch, and how many outlets it has (40 in all).
SUB_BRANCHES: tuple[tuple[str, str, str, str, int], ...] = (
    ("城东支行", "东片", "东城区", "东城大道", 6),
    ("城西支行", "西片", "西城区", "西城大道", 5),
    ("城南支行", "南片", "南湖区", "南湖大道", 5),
    ("城北支行", "北片", "北山区", "北山大道", 4),
    ("开发区支行", "东片", "经济开发区", "开发大道", 5),
    ("高新区支行", "西片", "高新区", "创新大道", 6),
    ("滨江支行", "南片", "滨江区", "滨江大道", 4),
    ("临湖支行", "北片", "临湖县", "临湖大道", 5),
)
STREETS = (
    "人民路", "解放路", "中山路", "建设路", "文化路", "和平路", "新华路", "胜利路", "光明路", "长江路",
    "黄河路", "东风路", "朝阳路", "青年路", "学府路", "花园路", "五一路", "幸福路", "湖滨路", "科技路",
    "工业园", "火车站", "大学城", "金融街", "体育路", "西湖路", "北京路", "南京路", "迎宾路", "滨河路",
    "东湖路", "秀水街",
)  # fmt: skip
BRANCH_DEPARTMENTS = ("办公室", "个人金融部(服务办)", "财务部", "人力资源部", "运营管理部")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文博晨昊然轩峰亮"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀燕玲婷雪慧莹倩琳颖洁萍红梅兰琴欣怡佳悦璐蕾萌晶雯丹"

# Age range and share of women by position, for plausible birth dates and genders.
AGES: dict[str, tuple[int, int, float]] = {
    Position.TELLER: (22, 45, 0.7),
    Position.LOBBY_MANAGER: (24, 45, 0.7),
    Position.WEALTH_MANAGER: (26, 45, 0.6),
    Position.ACCOUNT_MANAGER: (25, 50, 0.4),
    Position.OUTLET_HEAD: (32, 55, 0.4),
    Position.DEPUTY_OUTLET_HEAD: (30, 50, 0.5),
    Position.ACCOUNTING_SUPERVISOR: (30, 55, 0.6),
    Position.SECURITY_GUARD: (25, 58, 0.05),
    Position.SUB_BRANCH_HEAD: (38, 56, 0.3),
    Position.DEPARTMENT_HEAD: (35, 56, 0.4),
    Position.SERVICE_OFFICER: (25, 50, 0.6),
    Position.CUSTOMER_SERVICE: (22, 40, 0.75),
    Position.CLERK: (23, 55, 0.55),
}
# Teller grades 1–6; about 60% at grade 3 or above (DESIGN S13).
GRADE_WEIGHTS = (15, 25, 25, 18, 11, 6)
# People are dated from a fixed day so the same seed gives the same bank whatever the date today.
ANCHOR = dt.date(2025, 12, 31)

STEPS = 6  # calls to `progress` made by demo_bank_create
Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    bank: str
    units: int
    outlets: int
    people: int
    moves: int
    periods: int
    users: list[str]
    skipped_users: list[str] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    def __str__(self) -> str:
        text = _(
            "%(bank)s: %(units)d units (%(outlets)d outlets), %(people)d people, %(moves)d moves, "
            "%(periods)d periods, logins: %(users)s."
        ) % {
            "bank": self.bank,
            "units": self.units,
            "outlets": self.outlets,
            "people": self.people,
            "moves": self.moves,
            "periods": self.periods,
            "users": ", ".join(self.users) or "—",
        }
        if self.skipped_users:
            text += " " + _("Logins kept as they were: %(users)s.") % {"users": ", ".join(self.skipped_users)}
        return text


def demo_bank_exists() -> bool:
    return Unit.objects.filter(code=HEAD_OFFICE_CODE).exists()


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.people: list[Person] = []
        self.next_no = 1
        self.used_names: set[str] = set()

    def unit(self, parent: Unit | None, code: str, name: str, kind: str, **extra: Any) -> Unit:
        fields = {"code": code, "name": name, "kind": kind, **extra}
        if parent is None:
            return Unit.objects.add_root(fields)
        return Unit.objects.add_child(parent, fields)

    def name(self, female: bool) -> str:
        chars = GIVEN_FEMALE if female else GIVEN_MALE
        while True:
            # Common surnames are much more common: weight by rank.
            surname = self.rng.choices(SURNAMES, weights=[1 / (i + 3) for i in range(len(SURNAMES))])[0]
            given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2))))
            if (
                surname + given not in self.used_names or self.rng.random() < 0.02
            ):  # a few namesakes, as in life
                self.used_names.add(surname + given)
                return surname + given

    def person(self, unit: Unit, position: str) -> Person:
        low, high, women = AGES[position]
        female = self.rng.random() < women
        age = self.rng.randint(low, high)
        birth = ANCHOR - dt.timedelta(days=age * 365 + self.rng.randint(0, 364))
        first_day = birth + dt.timedelta(days=self.rng.randint(21 * 365, 24 * 365))
        hire = min(first_day, ANCHOR - dt.timedelta(days=self.rng.randint(30, 400)))
        grade = None
        if position == Position.TELLER:
            grade = self.rng.choices(range(1, 7), weights=GRADE_WEIGHTS)[0]
        person = Person(
            employee_no=f"62{self.next_no:05d}",
            name=self.name(female),
            unit=unit,
            position=position,
            gender=Gender.FEMALE if female else Gender.MALE,
            hire_date=hire,
            birth_date=birth,
            teller_grade=grade,
            phone="1"
            + self.rng.choice(("38", "39", "58", "59", "86", "88", "35", "37"))
            + f"{self.rng.randrange(10**8):08d}",
        )
        self.next_no += 1
        self.people.append(person)
        return person

    def staff(self, unit: Unit, positions: list[tuple[str, int]]) -> None:
        for position, count in positions:
            for _i in range(count):
                self.person(unit, position)


@transaction.atomic
def demo_bank_create(*, seed: int = 2026, progress: Progress | None = None) -> DemoSummary:
    """Build the demo bank in an empty database. Raises ApplicationError if the demo bank (or any other
    organisation) is already there: run `youfu demo --reset` to build it again."""
    step = progress or (lambda _message: None)
    if demo_bank_exists():
        raise ApplicationError(
            _("The demo bank already exists; run “youfu demo --reset” to build it again."), code="demo_exists"
        )
    if Unit.objects.exists():
        raise ApplicationError(
            _(
                "The database already holds an organisation; the demo bank is only created in an empty "
                "database."
            ),
            code="not_empty",
        )
    build = _Builder(seed)
    with disable_auditlog():
        step(_("Org tree"))
        head_office = build.unit(None, HEAD_OFFICE_CODE, f"{BANK_NAME}总行", UnitKind.HEAD_OFFICE)
        call_centre = build.unit(head_office, "100001", "总行客户服务中心", UnitKind.DEPARTMENT)
        audit_dept = build.unit(head_office, "100002", "总行审计部", UnitKind.DEPARTMENT)
        branch = build.unit(
            head_office,
            BRANCH_CODE,
            "江州分行",
            UnitKind.BRANCH,
            province=PROVINCE,
            address=f"{CITY}金融街1号",
        )
        departments = [
            build.unit(branch, f"11000{i}", name, UnitKind.DEPARTMENT, province=PROVINCE)
            for i, name in enumerate(BRANCH_DEPARTMENTS, start=1)
        ]
        streets = list(STREETS)
        build.rng.shuffle(streets)
        sub_branches: list[tuple[Unit, Unit, list[Unit]]] = []
        for k, (name, region, district, avenue, outlet_count) in enumerate(SUB_BRANCHES, start=1):
            place = {"region": region, "province": PROVINCE}
            main_address = f"{CITY}{district}{avenue}{build.rng.randint(1, 200)}号"
            sub = build.unit(branch, f"11{k:02d}00", name, UnitKind.SUB_BRANCH, address=main_address, **place)
            office = build.unit(sub, f"11{k:02d}90", f"{name}综合部", UnitKind.DEPARTMENT, **place)
            outlets = []
            for j in range(1, outlet_count + 1):
                if j == 1:  # the sub-branch's own counter hall (营业部), at its address
                    outlet_name, address = f"{name}营业部", main_address
                else:
                    street = streets.pop()
                    outlet_name, address = (
                        f"{street}网点",
                        f"{CITY}{district}{street}{build.rng.randint(1, 300)}号",
                    )
                outlets.append(
                    build.unit(
                        sub, f"11{k:02d}{j:02d}", outlet_name, UnitKind.OUTLET, address=address, **place
                    )
                )
            sub_branches.append((sub, office, outlets))

        step(_("Staff"))
        build.staff(call_centre, [(Position.DEPARTMENT_HEAD, 1), (Position.CUSTOMER_SERVICE, 10)])
        build.staff(audit_dept, [(Position.DEPARTMENT_HEAD, 1), (Position.CLERK, 4)])
        office_dept, service_office, finance, hr, operations = departments
        build.staff(office_dept, [(Position.DEPARTMENT_HEAD, 1), (Position.CLERK, 4)])
        build.staff(service_office, [(Position.DEPARTMENT_HEAD, 1), (Position.SERVICE_OFFICER, 5)])
        build.staff(finance, [(Position.DEPARTMENT_HEAD, 1), (Position.CLERK, 4)])
        build.staff(hr, [(Position.DEPARTMENT_HEAD, 1), (Position.CLERK, 4)])
        build.staff(
            operations, [(Position.DEPARTMENT_HEAD, 1), (Position.SERVICE_OFFICER, 2), (Position.CLERK, 3)]
        )
        for sub, office, outlets in sub_branches:
            build.staff(sub, [(Position.SUB_BRANCH_HEAD, 1)])
            rng = build.rng
            build.staff(
                office,
                [
                    (Position.DEPARTMENT_HEAD, 1),
                    (Position.SERVICE_OFFICER, 1),
                    (Position.CLERK, rng.randint(2, 3)),
                ],
            )
            for j, outlet in enumerate(outlets):
                build.staff(
                    outlet,
                    [
                        (Position.OUTLET_HEAD, 1),
                        (Position.DEPUTY_OUTLET_HEAD, 1 if j == 0 else 0),  # the sub-branch's main outlet
                        (Position.ACCOUNTING_SUPERVISOR, 1),
                        (Position.LOBBY_MANAGER, 1),
                        (Position.TELLER, rng.randint(4, 7)),
                        (Position.WEALTH_MANAGER, rng.randint(1, 2)),
                        (Position.ACCOUNT_MANAGER, rng.randint(1, 2)),
                        (Position.SECURITY_GUARD, 1),
                    ],
                )
        Person.objects.bulk_create(build.people, batch_size=500)
        people = {p.employee_no: p for p in Person.objects.filter(unit__path__startswith=head_office.path)}

        step(_("Joining records"))
        joined = _("Joined")
        PersonMove.objects.bulk_create(
            [
                PersonMove(
                    person=people[p.employee_no],
                    from_unit=None,
                    to_unit=p.unit,
                    to_position=p.position,
                    effective_date=p.hire_date or ANCHOR,
                    reason=joined,
                )
                for p in build.people
            ],
            batch_size=500,
        )

        step(_("Logins"))
        created_users, skipped = _demo_users(build, people, head_office, branch, service_office, sub_branches)

    # What users would do next goes through the services, with its audit trail.
    step(_("Periods"))
    office_user = User.objects.get(username="fuwuban") if "fuwuban" in created_users else None
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first() or office_user
    office_user = office_user or admin
    this_year = timezone.localdate().year
    periods = []
    for year in (this_year - 1, this_year):
        periods += services.period_ensure_year(actor=admin, year=year)

    step(_("Historic moves"))
    moves = _historic_moves(build.rng, office_user, sub_branches, this_year - 1)

    return DemoSummary(
        bank=BANK_NAME,
        units=Unit.objects.filter(path__startswith=head_office.path).count(),
        outlets=sum(len(outlets) for _sub, _office, outlets in sub_branches),
        people=len(people),
        moves=moves,
        periods=len(periods),
        users=created_users,
        skipped_users=skipped,
    )


def _demo_users(
    build: _Builder,
    people: dict[str, Person],
    head_office: Unit,
    branch: Unit,
    service_office: Unit,
    sub_branches: list[tuple[Unit, Unit, list[Unit]]],
) -> tuple[list[str], list[str]]:
    def first(unit: Unit, position: str, skip: int = 0) -> Person:
        matches = [p for p in people.values() if p.unit_id == unit.pk and p.position == position]
        return sorted(matches, key=lambda p: p.employee_no)[skip]

    _city_east, city_east_office, city_east_outlets = sub_branches[0]
    main_outlet = city_east_outlets[0]
    units = {u.code: u for u in Unit.objects.filter(path__startswith=head_office.path)}
    linked: dict[str, Person | None] = {
        "admin": None,
        "fuwuban": first(service_office, Position.SERVICE_OFFICER),
        "zhihang1": first(city_east_office, Position.SERVICE_OFFICER),
        "jiancha": first(service_office, Position.SERVICE_OFFICER, skip=1),
        "wangdian": first(main_outlet, Position.OUTLET_HEAD),
        "yuangong": first(main_outlet, Position.TELLER),
        "kefu": first(units["100001"], Position.CUSTOMER_SERVICE),
        "kaoping": first(units["110004"], Position.DEPARTMENT_HEAD),
        "shenji": first(units["100002"], Position.CLERK),
    }
    taken = set(
        User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).values_list(
            "username", flat=True
        )
    )
    created, skipped = [], []
    for login in DEMO_LOGINS:
        if login.username in taken:
            skipped.append(login.username)
            continue
        user_create(
            actor=None,
            username=login.username,
            password=DEMO_PASSWORD,
            unit=units[login.unit_code] if login.unit_code else None,
            roles=[login.role] if login.role else [],
            person=linked[login.username],
            is_superuser=not login.role,
        )
        created.append(login.username)
    return created, skipped


def _historic_moves(
    rng: random.Random, actor: Any, sub_branches: list[tuple[Unit, Unit, list[Unit]]], year: int
) -> int:
    """A few rotations (轮岗) last year: a teller moves to another outlet of the same 片区."""
    outlets_by_region: dict[str, list[Unit]] = {}
    for _sub, _office, outlets in sub_branches:
        for outlet in outlets:
            outlets_by_region.setdefault(outlet.region, []).append(outlet)
    candidates = list(
        Person.objects.filter(
            position=Position.TELLER,
            unit__kind=UnitKind.OUTLET,
            hire_date__lt=dt.date(year, 1, 1),
            user__isnull=True,
        )
        .select_related("unit")
        .order_by("employee_no")
    )
    count = 0
    for person in rng.sample(candidates, 6):
        targets = [o for o in outlets_by_region[person.unit.region] if o.pk != person.unit_id]
        services.person_move(
            actor=actor,
            person=person,
            to_unit=rng.choice(targets),
            effective_date=dt.date(year, rng.randint(1, 12), 1),
            reason="轮岗",
        )
        count += 1
    return count


@transaction.atomic
def demo_bank_delete() -> int:
    """Remove the demo bank (its units, people, moves and logins); returns how many people it had.
    Audit entries stay: the trail is append-only."""
    head_office = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    usernames = [login.username for login in DEMO_LOGINS]
    with disable_auditlog():
        if head_office is None:
            User.objects.filter(username__in=usernames).delete()
            return 0
        in_bank = Q(unit__path__startswith=head_office.path)
        people = Person.objects.filter(in_bank)
        # Moves first: they point at people, units and (created_by) the demo logins.
        PersonMove.objects.filter(
            Q(person__in=people)
            | Q(to_unit__path__startswith=head_office.path)
            | Q(from_unit__path__startswith=head_office.path)
        ).delete()
        User.objects.filter(in_bank | Q(username__in=usernames)).delete()
        count, _rows = people.delete()
        Unit.objects.filter(path__startswith=head_office.path).delete()
    return count
