"""Deterministic generator of the sandbox World: users, companies and people.

Everything is drawn from one ``random.Random(seed)`` plus name pools from a seeded Faker, and
all times are offsets back from ``now``, so the output depends only on (people, seed, now).
Opportunities come from `crm_bridge.sandbox.generate_deals`.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from crm_bridge.sandbox import titles as T
from crm_bridge.sandbox.generate_deals import generate_opportunities
from crm_bridge.sandbox.generate_partners import assign_partners
from crm_bridge.sandbox.generate_pools import (
    COUNTRIES,
    FREE_MAIL,
    INDUSTRY_WORDS,
    LEGAL,
    PREFIXES,
    TLD,
    US_PLACES,
    Pools,
    ascii_slug,
    build_pools,
)
from crm_bridge.sandbox.world import (
    Company,
    HubSpotPerson,
    Person,
    PersonFields,
    SalesforcePerson,
    Team,
    User,
    World,
)

DAY = 86_400
LEAD_SOURCES = (
    "Web", "Web", "Webinar", "Trade Show", "Partner Referral", "Employee Referral",
    "Purchased List", "Phone Inquiry", "Advertisement", "Other",
)  # fmt: skip
ANALYTICS = (
    "ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS",
    "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL",
)  # fmt: skip
LEAD_STATUS_W = (
    ("Open - Not Contacted", 24), ("Working - Contacted", 20), ("Nurture", 14),
    ("Closed - Converted", 27), ("Closed - Not Converted", 15),
)  # fmt: skip
HS_FLOW = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
           "customer")  # fmt: skip
DEPARTMENTS: dict[str, tuple[Team, str]] = {
    "SDR East": ("sales", "Sales Development Representative"),
    "SDR West": ("sales", "Sales Development Representative"),
    "AE Enterprise": ("sales", "Enterprise Account Executive"),
    "AE Mid-Market": ("sales", "Account Executive"),
    "Partner desk": ("sales", "Partner Manager"),
    "Marketing": ("marketing", "Marketing Manager"),
    "Customer Success": ("customer_success", "Customer Success Manager"),
}
"""Department (the rep's team in both CRMs) -> (team kind, job title)."""
DEPARTMENT_CYCLE = (
    "SDR East", "Marketing", "AE Enterprise", "Customer Success", "SDR West", "AE Mid-Market",
    "Partner desk", "SDR East", "SDR West", "AE Mid-Market", "Marketing", "SDR East",
    "AE Enterprise", "SDR West", "Customer Success", "AE Mid-Market",
)  # fmt: skip
"""Departments of users in creation order: every sandbox (>= 8 users) has each of them."""
WEST = frozenset({"CA", "WA", "OR", "CO", "UT", "AZ"})
"""US states (and, below, countries) whose leads the SDR West team works."""
TIMEZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
             "Europe/Berlin", "Europe/Paris")  # fmt: skip


@dataclass(slots=True)
class _Title:
    text: str
    function: str
    seniority: str


def _ago(now: datetime, rng: random.Random, lo_days: float, hi_days: float) -> datetime:
    return now - timedelta(seconds=rng.randrange(int(lo_days * DAY), int(hi_days * DAY) + 1))


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(span + 1)) if span > 0 else end


class _Gen:
    """One generation run: the random stream plus pools and accumulated lookups."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now.replace(microsecond=0)
        self.pools: Pools = build_pools(seed)
        self.country_cum = list(accumulate(w for _c, w, _l, _x in COUNTRIES))
        self.fn_cum = list(accumulate(T.FUNCTION_WEIGHTS))
        self.sen_cum = list(accumulate(T.SENIORITY_WEIGHTS))
        self.industries = tuple(INDUSTRY_WORDS)

    # ----- users ---------------------------------------------------------------------------
    def users(self, n: int) -> tuple[User, ...]:
        rng, out = self.rng, []
        for i in range(n):
            first, last = self.pools.rep_names[i % len(self.pools.rep_names)]
            department = DEPARTMENT_CYCLE[i % len(DEPARTMENT_CYCLE)]
            team, title = DEPARTMENTS[department]
            email = f"{ascii_slug(first)}.{ascii_slug(last)}{i}@sandbox-crm.example.com"
            out.append(
                User(
                    f"u{i + 1:04d}",
                    first,
                    last,
                    email,
                    team,
                    title,
                    rng.choice(TIMEZONES),
                    active=rng.random() > 0.05,
                    department=department,
                )
            )
        return tuple(out)

    # ----- companies -----------------------------------------------------------------------
    def companies(self, n: int, users: tuple[User, ...]) -> tuple[Company, ...]:
        rng, out, seen = self.rng, [], set[str]()
        enterprise = _reps(users, "AE Enterprise", "AE Mid-Market")
        mid_market = _reps(users, "AE Mid-Market", "AE Enterprise")
        surnames = self.pools.surnames_for_companies
        for i in range(n):
            country = COUNTRIES[bisect(self.country_cum, rng.randrange(self.country_cum[-1]))][0]
            industry = rng.choice(self.industries)
            base = rng.choice(PREFIXES) if rng.random() < 0.55 else rng.choice(surnames)
            word = rng.choice(INDUSTRY_WORDS[industry])
            stem = f"{base} {word}"
            slug = ascii_slug(stem)
            tld = rng.choice(TLD[country])
            domain, k = f"{slug}{tld}", 1
            while domain in seen:
                k += 1
                domain = f"{slug}{k}{tld}"
            seen.add(domain)
            legal = rng.choice(LEGAL[country])
            name = f"{stem}{'' if k == 1 else f' {k}'}{' ' + legal if legal else ''}"
            if country == "US":
                state, city = rng.choice(US_PLACES)
            else:
                state, city = None, rng.choice(next(c for c in COUNTRIES if c[0] == country)[3])
            employees = int(10 ** rng.uniform(1, 4.7))
            revenue = round(employees * rng.uniform(80_000, 400_000), -3)
            where = rng.random()
            out.append(
                Company(
                    id=f"c{i + 1:06d}",
                    name=name,
                    domain=domain,
                    industry=industry,
                    employees=employees,
                    annual_revenue=int(revenue),
                    country=country,
                    state=state,
                    city=city,
                    phone=self.phone(country),
                    owner_id=rng.choice(enterprise if employees >= 1000 else mid_market).id,
                    created_at=_ago(self.now, rng, 60, 1500),
                    in_salesforce=where < 0.8,
                    in_hubspot=where >= 0.2,
                )
            )
        return tuple(out)

    def phone(self, country: str) -> str:
        r = self.rng.randrange
        if country in ("US", "CA"):
            return f"+1 ({r(201, 990)}) {r(200, 999)}-{r(1000, 9999)}"
        prefix = {"GB": "+44", "DE": "+49", "FR": "+33", "ES": "+34", "AU": "+61"}[country]
        return f"{prefix} {r(10, 99)} {r(100, 999)} {r(1000, 9999)}"

    # ----- titles --------------------------------------------------------------------------
    def title(self, country: str) -> _Title:
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            return _Title(rng.choice(T.JUNK_TITLES), "unknown", "unknown")
        if country in T.FOREIGN_TITLES and roll < 0.40:
            fn, sen, text = rng.choice(T.FOREIGN_TITLES[country])
            return _Title(text, fn, sen)
        fn = T.FUNCTIONS[bisect(self.fn_cum, rng.randrange(self.fn_cum[-1]))]
        sen = T.SENIORITIES[bisect(self.sen_cum, rng.randrange(self.sen_cum[-1]))]
        text = rng.choice(T.TITLES[fn][sen])
        case = rng.random()
        if case < 0.02:
            text = text.upper()
        elif case < 0.04:
            text = text.lower()
        return _Title(text, fn, sen)

    def stale_title(self, t: _Title) -> str:
        if t.function == "unknown":
            return "-"
        return self.rng.choice(T.TITLES[t.function][T.SENIORITY_DOWN[t.seniority]])

    # ----- people --------------------------------------------------------------------------
    def people(
        self, n: int, companies: tuple[Company, ...], users: tuple[User, ...]
    ) -> list[Person]:
        rng, now = self.rng, self.now
        out: list[Person] = []
        cum = list(accumulate(max(1, c.employees).bit_length() ** 2 for c in companies))
        east, west = _reps(users, "SDR East", "SDR West"), _reps(users, "SDR West", "SDR East")
        for _i in range(n):
            co = companies[bisect(cum, rng.randrange(cum[-1]))]
            pool = co.country if rng.random() < 0.8 else "US"
            first = rng.choice(self.pools.first_names[pool])
            last = rng.choice(self.pools.last_names[pool])
            f, la = ascii_slug(first) or "x", ascii_slug(last)
            pattern = rng.random()
            local = f"{f}.{la}" if pattern < 0.6 else (f"{f[0]}{la}" if pattern < 0.85 else f)
            domain = co.domain if rng.random() > 0.05 else rng.choice(FREE_MAIL)
            if domain in FREE_MAIL:
                local = f"{f}.{la}{rng.randrange(1, 99)}"
            email = f"{local}@{domain}"
            t = self.title(co.country)
            dept = None if rng.random() < 0.25 or t.function == "unknown" else rng.choice(
                T.DEPARTMENTS[t.function]
            )  # fmt: skip
            created = _between(rng, max(co.created_at, now - timedelta(days=1400)), now)
            score = min(100, int(rng.betavariate(2, 3) * 110))
            last_act = None if rng.random() < 0.12 else _between(rng, created, now)
            mql_at = _between(rng, created, now) if score >= 60 else None
            truth = PersonFields(first, last, email, t.text, dept,
                                 None if rng.random() < 0.15 else self.phone(co.country),
                                 co.name, score)  # fmt: skip
            in_sf, in_hs = self.presence(co)
            stale = rng.random() < 0.10 and in_sf and in_hs
            sf = self.sf_copy(truth, created, last_act) if in_sf else None
            hs = (
                self.hs_copy(truth, created, score, sf, t if stale else None, mql_at)
                if in_hs
                else None
            )
            if hs is not None:  # HubSpot's MQL date is when the person became an MQL
                mql_at = next(
                    (at for s, at in hs.lifecycle_history if s == "marketingqualifiedlead"), mql_at
                )
            # a lead still marked as not contacted often really was not (or not yet) touched
            fresh = (sf is not None and sf.lead_status == "Open - Not Contacted") or (
                sf is None and hs is not None and hs.lead_status in (None, "NEW")
            )
            touch = None
            if mql_at is not None and rng.random() < (0.5 if fresh else 0.9):
                touch = min(now, mql_at + timedelta(minutes=int(rng.lognormvariate(5.5, 1.4))))
                last_act = max(last_act or touch, touch)
            elif mql_at is not None and last_act is not None and last_act > mql_at:
                last_act = _between(rng, created, mql_at)  # untouched since the MQL
            if sf is not None and (sf.kind == "contact" or sf.converted_at is not None):
                owner = co.owner_id  # contacts belong to the account's AE
            else:
                west_lead = co.state in WEST or co.country in ("CA", "AU")
                owner = rng.choice(west if west_lead else east).id
            person = Person(
                id=f"p{len(out) + 1:06d}", first_name=first, last_name=last, email=email,
                title=t.text, department=dept, phone=truth.phone, company_id=co.id,
                lead_source=rng.choice(LEAD_SOURCES), analytics_source=rng.choice(ANALYTICS),
                lead_score=score, created_at=created, last_activity_at=last_act, mql_at=mql_at,
                first_sales_touch_at=touch, owner_id=owner, salesforce=sf,
                hubspot=hs, true_function=t.function, true_seniority=t.seniority,
            )  # fmt: skip
            out.append(person)
            if rng.random() < 0.02:
                out.append(self.duplicate(person, f"p{len(out) + 1:06d}"))
        return out

    def presence(self, co: Company) -> tuple[bool, bool]:
        r = self.rng.random()
        if co.in_salesforce and co.in_hubspot:
            return (r < 0.78, r >= 0.38)
        return (co.in_salesforce, co.in_hubspot)

    def sf_copy(
        self, truth: PersonFields, created: datetime, last_act: datetime | None
    ) -> SalesforcePerson:
        rng = self.rng
        fields = self.vary(truth, cap_email=0.12)
        if rng.random() < 0.55:
            r, status = rng.randrange(100), LEAD_STATUS_W[-1][0]
            for name, w in LEAD_STATUS_W:
                if r < w:
                    status = name
                    break
                r -= w
            conv = _between(rng, created, self.now) if status == "Closed - Converted" else None
            kind, lead_status = "lead", status
        else:
            kind, lead_status, conv = "contact", None, None
        modified = max(created, conv or created, last_act or created)
        return SalesforcePerson(kind, lead_status, conv, fields, modified)  # type: ignore[arg-type]

    def hs_copy(
        self,
        truth: PersonFields,
        created: datetime,
        score: int,
        sf: SalesforcePerson | None,
        stale: _Title | None,
        mql_at: datetime | None = None,
    ) -> HubSpotPerson:
        rng = self.rng
        fields = self.vary(truth, cap_email=0.04)
        if stale is not None:
            fields = _replace_title(fields, self.stale_title(stale))
        if rng.random() < 0.3:
            fields = _replace_dept(fields, None)
        if sf is not None and (sf.converted_at or sf.kind == "contact"):
            top = 4 + (rng.random() < 0.4)
        elif score >= 60:
            top = 2 + (rng.random() < 0.3)
        else:
            top = rng.randrange(0, 2)
        history, at = [], created
        for stage in HS_FLOW[: top + 1]:
            if stage == "marketingqualifiedlead" and mql_at is not None and mql_at >= at:
                at = mql_at
            else:
                at = _between(rng, at, min(self.now, at + timedelta(days=120)))
            history.append((stage, at))
        stage = HS_FLOW[top]
        if rng.random() < 0.02:
            stage = rng.choice(("evangelist", "other"))
            history.append((stage, _between(rng, at, self.now)))
        lead_status = None if rng.random() < 0.2 else rng.choice(T_HS_STATUS)
        return HubSpotPerson(stage, lead_status, tuple(history), fields, history[-1][1])

    def vary(self, truth: PersonFields, cap_email: float) -> PersonFields:
        """A CRM's copy: sometimes capitalised email, missing phone/title/first name/score."""
        rng = self.rng
        email = truth.email
        if email is not None and rng.random() < cap_email:
            local, _, dom = email.partition("@")
            email = ".".join(p.capitalize() for p in local.split(".")) + "@" + dom.capitalize()
        return PersonFields(
            first_name=None if rng.random() < 0.03 else truth.first_name,
            last_name=truth.last_name,
            email=None if rng.random() < 0.01 else email,
            title=None if rng.random() < 0.06 else truth.title,
            department=truth.department,
            phone=None if rng.random() < 0.12 else truth.phone,
            company_name=truth.company_name,
            lead_score=None if rng.random() < 0.08 else truth.lead_score,
        )

    def duplicate(self, p: Person, new_id: str) -> Person:
        """The same person entered again in one CRM (case-changed or same email, fewer fields)."""
        rng = self.rng
        email = p.email.upper() if rng.random() < 0.4 else p.email
        fields = PersonFields(p.first_name, p.last_name, email, None if rng.random() < 0.5
                              else p.title, None, None, None, None)  # fmt: skip
        created = _between(rng, p.created_at, self.now)
        sf = hs = None
        if p.salesforce is not None and (p.hubspot is None or rng.random() < 0.6):
            sf = SalesforcePerson("lead", "Open - Not Contacted", None, fields, created)
        else:
            hs = HubSpotPerson("lead", "NEW", (("lead", created),), fields, created)
        return Person(
            id=new_id, first_name=p.first_name, last_name=p.last_name, email=email,
            title=p.title, department=None, phone=None, company_id=p.company_id,
            lead_source=rng.choice(LEAD_SOURCES), analytics_source=rng.choice(ANALYTICS),
            lead_score=p.lead_score, created_at=created, last_activity_at=None, mql_at=None,
            first_sales_touch_at=None, owner_id=p.owner_id, salesforce=sf, hubspot=hs,
            duplicate_of=p.id, true_function=p.true_function, true_seniority=p.true_seniority,
        )  # fmt: skip


def _reps(users: tuple[User, ...], *departments: str) -> list[User]:
    """The users of the first of ``departments`` that has any (else sales, else everyone)."""
    for department in departments:
        found = [u for u in users if u.department == department]
        if found:
            return found
    return [u for u in users if u.team == "sales"] or list(users)


T_HS_STATUS = ("NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED", "OPEN_DEAL",
               "UNQUALIFIED", "BAD_TIMING")  # fmt: skip


def _replace_title(f: PersonFields, title: str | None) -> PersonFields:
    return PersonFields(f.first_name, f.last_name, f.email, title, f.department, f.phone,
                        f.company_name, f.lead_score)  # fmt: skip


def _replace_dept(f: PersonFields, dept: str | None) -> PersonFields:
    return PersonFields(f.first_name, f.last_name, f.email, f.title, dept, f.phone,
                        f.company_name, f.lead_score)  # fmt: skip


def generate(people: int, seed: int, now: datetime) -> World:
    """Generate the World for ``people`` people (companies ≈ people/8, deals ≈ people/5,
    users ≈ people/120 within 8-80)."""
    if now.tzinfo is None or now.utcoffset() != timedelta(0):
        raise ValueError("now must be a timezone-aware UTC datetime")
    gen = _Gen(seed, now)
    users = gen.users(max(8, min(80, people // 120)))
    companies = gen.companies(max(1, people // 8), users)
    persons = assign_partners(gen.rng, gen.now, gen.people(people, companies, users), users)
    opps = generate_opportunities(gen.rng, gen.now, max(0, people // 5), companies, persons)
    return World(seed, now, users, companies, tuple(persons), opps)
