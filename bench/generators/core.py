"""Units, users, plans, tasks and assignments: the foundation's tables, built with Core bulk inserts."""
from __future__ import annotations

import calendar
import hashlib
import math
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from tracker.accounts.models import User
from tracker.plans.models import Assignment, Plan, Task
from tracker.units.models import Unit

from .. import vocab
from ..dataset import Dataset, Scale, insert_rows, next_id
from ..registry import generator

#: Every synthetic account logs in with this password.
PASSWORD = "bench-pass-2021"
#: Local office hours expressed in UTC (Asia/Shanghai is UTC+8): 09:00-17:00 local.
OFFICE_HOURS_UTC = (1, 9)


def split(total: int, parts: int) -> list[int]:
    """Split `total` into `parts` integers that differ by at most one, larger first."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def city_composition(size: int) -> dict[str, int]:
    """Return how many units of each kind a city of `size` units (its government included) holds."""
    rest = size - 2  # the city government and its 办公室
    if rest < 2:
        raise ValueError(f"a city needs at least 4 units, got {size}")
    counties = max(1, round(rest * 12 / 98))
    zones = round(rest * 3 / 98) if rest >= 4 else 0
    departments = max(1, round(rest * 60 / 98))
    towns = rest - counties - zones - departments
    if towns < 0:
        departments += towns
        towns = 0
    return {"counties": counties, "zones": zones, "departments": departments, "towns": towns}


def plan_task_sizes(spec: Scale) -> list[int]:
    """Return the number of tasks of each plan, the capital's plans first, summing to spec.tasks.

    Plans assign only inside their city and a unit holds one assignment per task, so the
    capital's plans must hold enough leaf tasks for its 办公室 to reach largest_unit_min.
    """
    capital_leaves = math.ceil(spec.largest_unit_min / spec.capital_plans)
    capital = [spec.sections + capital_leaves] * spec.capital_plans
    others = spec.plans - spec.capital_plans
    remaining = spec.tasks - sum(capital)
    if others == 0:
        sizes = split(spec.tasks, spec.plans)
        if min(sizes) - spec.sections < capital_leaves:
            raise ValueError("not enough tasks for the largest unit")
        return sizes
    sizes = capital + split(remaining, others)
    if min(sizes) <= spec.sections:
        raise ValueError(f"scale {spec.name}: too few tasks for {spec.plans} plans of {spec.sections} sections")
    return sizes


def _utc(day: date, hour: int = 2) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@generator(order=10)
def make_units(conn: sa.Connection, ds: Dataset) -> None:
    spec = ds.scale
    table = Unit.__table__
    ids = iter(range(next_id(conn, table), 10**9))
    created = _utc(date(ds.as_of.year, 1, 4))
    rows: list[dict] = []

    def add(name: str, short: str, kind: str, parent: dict | None, category: str | None,
            aliases: list[str] | None = None) -> dict:
        uid = next(ids)
        row = {
            "id": uid, "name": name, "short_name": short, "aliases": aliases or [], "kind": kind,
            "parent_id": parent["id"] if parent else None,
            "path": (parent["path"] if parent else "/") + f"{uid}/",
            "category": category, "is_active": True, "created_at": created,
        }
        rows.append(row)
        return row

    root = add(vocab.PROVINCE, "省政府", "other", None, None)
    ds.root_unit_id = root["id"]
    ds.cities = []
    for index, size in enumerate(split(spec.units - 1, spec.cities)):
        city = vocab.CITIES[index % len(vocab.CITIES)] + ("" if index < len(vocab.CITIES) else str(index))
        comp = city_composition(size)
        gov = add(f"{city}市人民政府", f"{city}市政府", "city_gov", root, None)
        office = add(f"{city}市人民政府办公室", "市政府办公室", "city_gov", gov, None, [f"{city}市政府办"])
        counties = [add(f"{city}市{c}人民政府", f"{c}政府", "county_gov", gov, "A")
                    for c in vocab.COUNTIES[:comp["counties"]]]
        zones = [add(f"{city}{z}", z.replace("管理委员会", "管委会"), "zone", gov, "A")
                 for z in vocab.ZONES[:comp["zones"]]]
        departments = [add(f"{city}市{d}", f"市{d}", "city_dept", gov, "B", [f"市{d}"])
                       for d in vocab.DEPARTMENTS[:comp["departments"]]]
        towns = []
        for t in range(comp["towns"]):
            county = counties[t % len(counties)]
            word = vocab.TOWN_NAMES[(t // len(counties)) % len(vocab.TOWN_NAMES)]
            suffix = "街道" if county["short_name"].endswith("区政府") else "镇"
            short = f"{word}{suffix}" if t < len(counties) * len(vocab.TOWN_NAMES) else f"{word}{t}{suffix}"
            towns.append(add(f"{county['name'].removesuffix('人民政府')}{short}", short, "town", county, None))
        ds.cities.append({
            "unit_id": gov["id"], "name": f"{city}市", "office_id": office["id"],
            "counties": [u["id"] for u in counties], "zones": [u["id"] for u in zones],
            "departments": [u["id"] for u in departments], "towns": [u["id"] for u in towns],
        })
    insert_rows(conn, table, rows)
    ds.city_unit_ids = [c["unit_id"] for c in ds.cities]
    ds.unit_ids = [r["id"] for r in rows]


@generator(order=20)
def make_users(conn: sa.Connection, ds: Dataset) -> None:
    # One hash for every account: scrypt per row would dominate the build.
    password_hash = generate_password_hash(PASSWORD, method="scrypt")
    table = User.__table__
    ids = iter(range(next_id(conn, table), 10**9))
    created = _utc(date(ds.as_of.year, 1, 4))
    names = dict(conn.execute(sa.select(Unit.__table__.c.id, Unit.__table__.c.short_name)).all())
    rows: list[dict] = []

    def add(username: str, display: str, role: str, unit_id: int | None) -> None:
        rows.append({"id": next(ids), "username": username, "display_name": display[:64],
                     "password_hash": password_hash, "role": role, "unit_id": unit_id,
                     "is_active": True, "last_login_at": None, "created_at": created})

    add("admin", "系统管理员", "admin", None)
    for unit_id in [ds.root_unit_id, *ds.city_unit_ids]:
        add(f"sup-{unit_id}", f"{names[unit_id]}督查员", "supervisor", unit_id)
        add(f"lead-{unit_id}", f"{names[unit_id]}分管领导", "leader", unit_id)
    for unit_id in ds.unit_ids:
        add(f"rep-{unit_id}", f"{names[unit_id]}填报员", "reporter", unit_id)
    insert_rows(conn, table, rows)
    ds.user_ids = {}
    for row in rows:
        ds.user_ids.setdefault(row["role"], []).append(row["id"])


@generator(order=30)
def make_plans(conn: sa.Connection, ds: Dataset) -> None:
    spec = ds.scale
    rng = ds.rng("plans")
    table = Plan.__table__
    ids = iter(range(next_id(conn, table), 10**9))
    others = ds.cities[1:] or ds.cities
    owners = [ds.cities[0]] * spec.capital_plans
    owners += [others[i % len(others)] for i in range(spec.plans - spec.capital_plans)]
    seen: dict[int, int] = {}
    rows = []
    for city in owners:
        # The capital keeps years of history: a 工作要点 and a 任务分解 per year, newest first.
        k = seen[city["unit_id"]] = seen.get(city["unit_id"], -1) + 1
        year = ds.as_of.year - k // 2
        kind = "政务公开工作要点" if k % 2 == 0 else "政务公开重点任务分解"
        issued = date(year, 3 + k % 4, rng.randint(1, 28))
        rows.append({
            "id": next(ids), "unit_id": city["unit_id"], "title": f"{city['name']}{year}年{kind}",
            "doc_number": f"{city['name'][0]}政办发〔{year}〕{rng.randint(1, 60)}号",
            "issuer": f"{city['name']}人民政府办公室", "issued_on": issued, "year": year,
            "source_filename": f"{year}_{'work_plan' if k % 2 == 0 else 'tasks'}.docx",
            "source_text": None, "content_hash": None, "is_published": k < 2,
            "created_by_id": None, "created_at": _utc(issued, 3),
        })
    insert_rows(conn, table, rows)
    ds.plan_ids = [r["id"] for r in rows]


def _deadline(rng, year: int) -> tuple[str, str, date | None, dict]:
    kinds = vocab.DEADLINES
    kind, text, month, _ = rng.choices(kinds, weights=[k[3] for k in kinds])[0]
    if kind in ("year_end", "default"):
        return kind, text, date(year, 12, 31), {}
    if kind == "window":
        return kind, text, _month_end(year, month), {"start": date(year, month, 1).isoformat()}
    if kind == "recurring":
        return kind, text, date(year, 12, 31), {"recurrence": "quarterly"}
    if kind == "continuous":
        return kind, text, None, {}
    return kind, text, _month_end(year, month), {}


@generator(order=40)
def make_tasks(conn: sa.Connection, ds: Dataset) -> None:
    spec = ds.scale
    rng = ds.rng("tasks")
    table = Task.__table__
    ids = iter(range(next_id(conn, table), 10**9))
    plans = conn.execute(
        sa.select(Plan.__table__.c.id, Plan.__table__.c.unit_id, Plan.__table__.c.year, Plan.__table__.c.issued_on)
        .where(Plan.__table__.c.id.in_(ds.plan_ids)).order_by(Plan.__table__.c.id)
    ).all()
    unit_names = dict(conn.execute(sa.select(Unit.__table__.c.id, Unit.__table__.c.name)).all())
    cities = {c["unit_id"]: c for c in ds.cities}
    patterns = vocab.UNIT_PATTERNS
    sections = vocab.SECTIONS[:spec.sections]
    rows: list[dict] = []
    texts = []
    for plan, size in zip(plans, plan_task_sizes(spec)):
        city = cities[plan.unit_id]
        office = unit_names[city["office_id"]]
        leaves = split(size - len(sections), len(sections))
        position = 0
        outline = []
        for s_index, (section, n_leaves) in enumerate(zip(sections, leaves)):
            numeral = vocab.SECTION_NUMERALS[s_index]
            section_id = next(ids)
            created = _utc(plan.issued_on, 3)
            rows.append(_task_row(section_id, plan.id, None, numeral, position, 1, section, section, [],
                                  False, (None, "", None, {}), [], [], created))
            outline.append(section)
            position += 1
            for j in range(1, n_leaves + 1):
                title = rng.choice(vocab.TASK_TITLES)
                kind, words, due, detail = _deadline(rng, plan.year)
                pattern, phrase, _ = rng.choices(patterns, weights=[p[2] for p in patterns])[0]
                if pattern == "named":
                    named = rng.sample(city["departments"], min(len(city["departments"]), rng.randint(1, 7)))
                    phrases = [office, *(unit_names[u] for u in named)]
                else:
                    phrases = [office, phrase]
                targets = ([{"metric": "政策解读率", "op": ">=", "value": 90, "unit": "%", "year": None}]
                           if rng.random() < 0.1 else [])
                rows.append(_task_row(next(ids), plan.id, section_id, f"{numeral}.{j}", position, 2, title,
                                      section, [section], True, (kind, words, due, detail), targets,
                                      phrases, created))
                outline.append(f"{j}. {title}。{vocab.TASK_TEXT}（{words or '未写明时限'}；{'、'.join(phrases)}）")
                position += 1
        text = "\n".join(outline)
        texts.append({"pid": plan.id, "text": text, "hash": hashlib.sha256(text.encode()).hexdigest()})
    insert_rows(conn, table, rows)
    plans_t = Plan.__table__
    conn.execute(
        plans_t.update().where(plans_t.c.id == sa.bindparam("pid"))
        .values(source_text=sa.bindparam("text"), content_hash=sa.bindparam("hash")),
        texts,
    )
    ds.task_ids = [r["id"] for r in rows]


def _task_row(task_id, plan_id, parent_id, ref, position, level, title, section, path, is_leaf,
              deadline, targets, phrases, created) -> dict:
    kind, words, due, detail = deadline
    return {
        "id": task_id, "plan_id": plan_id, "parent_id": parent_id, "ref": ref, "position": position,
        "level": level, "title": title, "text": f"{title}。{vocab.TASK_TEXT}" if is_leaf else "",
        "section": section, "path": path, "is_leaf": is_leaf, "deadline": due,
        "deadline_kind": kind or "default", "deadline_text": words or None, "deadline_detail": detail,
        "targets": targets, "unit_phrases": phrases, "columns": {}, "completed_at": None,
        "created_at": created,
    }


def _sizes(natural: list[int], caps: list[int], total: int, rng) -> list[int]:
    """Scale per-task unit counts to sum to exactly `total`, each between 2 (or its cap) and its cap."""
    if total > sum(caps):
        raise ValueError(f"cannot place {total} assignments: the cities hold room for {sum(caps)}")
    factor = total / sum(natural)
    sizes = [max(min(2, c), min(c, round(n * factor))) for n, c in zip(natural, caps)]
    diff = total - sum(sizes)
    order = list(range(len(sizes)))
    while diff:
        rng.shuffle(order)
        moved = False
        for i in order:
            if diff > 0 and sizes[i] < caps[i]:
                sizes[i] += 1
                diff -= 1
                moved = True
            elif diff < 0 and sizes[i] > 2:
                sizes[i] -= 1
                diff += 1
                moved = True
            if not diff:
                break
        if not moved:
            raise ValueError("cannot reach the assignment total")
    return sizes


def _status(rng, due: date, year: int, as_of: date, issued: date) -> tuple[str, int, datetime | None]:
    """Pick a status, progress and completion time consistent with the dataset's as_of date."""
    if year < as_of.year:
        roll = rng.random()
        status = "completed" if roll < 0.96 else ("in_progress" if roll < 0.99 else "pending")
    elif due < as_of:
        roll = rng.random()
        status = "completed" if roll < 0.8 else ("in_progress" if roll < 0.95 else "pending")
    else:
        roll = rng.random()
        status = "completed" if roll < 0.25 else ("in_progress" if roll < 0.75 else "pending")
    if status == "pending":
        return status, 0, None
    if status == "in_progress":
        return status, rng.randrange(10, 100, 10), None
    horizon = min(as_of, date(year + 1, 3, 31))
    if due < horizon and rng.random() < 0.25:  # completed late
        done = min(horizon, due + timedelta(days=rng.randint(1, 45)))
    else:
        end = min(due, horizon)
        start = min(max(issued, due - timedelta(days=90)), end)
        done = start + timedelta(days=rng.randint(0, (end - start).days))
    return status, 100, _utc(done, rng.randint(*OFFICE_HOURS_UTC))


@generator(order=45)
def make_assignments(conn: sa.Connection, ds: Dataset) -> None:
    spec = ds.scale
    rng = ds.rng("assignments")
    tasks_t, plans_t = Task.__table__, Plan.__table__
    leaves = conn.execute(
        sa.select(tasks_t.c.id, tasks_t.c.plan_id, tasks_t.c.deadline, tasks_t.c.deadline_kind,
                  tasks_t.c.unit_phrases, plans_t.c.unit_id, plans_t.c.year, plans_t.c.issued_on)
        .join(plans_t, plans_t.c.id == tasks_t.c.plan_id)
        .where(tasks_t.c.is_leaf, tasks_t.c.plan_id.in_(ds.plan_ids))
        .order_by(tasks_t.c.id)
    ).all()
    ids_by_name = {name: uid for uid, name in conn.execute(sa.select(Unit.__table__.c.id, Unit.__table__.c.name))}
    cities = {c["unit_id"]: c for c in ds.cities}
    pools = {}
    for c in ds.cities:
        everyone = c["counties"] + c["zones"] + c["departments"] + c["towns"]
        pools[c["unit_id"]] = {
            "counties": c["counties"] + c["zones"],
            "departments": c["departments"],
            "counties_departments": c["counties"] + c["zones"] + c["departments"],
            "everyone": everyone,
            "all": everyone,
        }
    phrase_pattern = {phrase: pattern for pattern, phrase, _ in vocab.UNIT_PATTERNS if phrase}
    town_ids = {u for c in ds.cities for u in c["towns"]}

    # First the ordered candidates of each leaf (the units its phrases name, then the rest of the city).
    plans_of = []
    for leaf in leaves:
        city = cities[leaf.unit_id]
        office = city["office_id"]
        phrase = next((p for p in leaf.unit_phrases[1:] if p in phrase_pattern), None)
        if phrase:
            named = list(pools[leaf.unit_id][phrase_pattern[phrase]])
            rng.shuffle(named)
        else:
            named = [ids_by_name[p] for p in leaf.unit_phrases[1:]]
        taken = {office, *named}
        rest = [u for u in pools[leaf.unit_id]["all"] if u not in taken]
        rng.shuffle(rest)
        plans_of.append((leaf, phrase, [office, *named], rest))
    natural = [len(named) for _, _, named, _ in plans_of]
    caps = [len(named) + len(rest) for _, _, named, rest in plans_of]
    sizes = _sizes(natural, caps, spec.assignments, rng)

    table = Assignment.__table__
    first = next_id(conn, table)

    def rows():
        aid = first
        for (leaf, phrase, named, rest), size in zip(plans_of, sizes):
            year_end = date(leaf.year, 12, 31)
            created = _utc(leaf.issued_on, 4)
            for index, unit_id in enumerate((named + rest)[:size]):
                if index == 0 or (index == 1 and not phrase and len(named) > 3):
                    role, source = "lead", None
                elif index < len(named):
                    role, source = "responsible", phrase
                else:
                    role, source = "cooperating", None
                due = leaf.deadline or year_end
                if unit_id in town_ids and leaf.deadline_kind == "date":
                    # towns often get a later date than departments for the same task (孝义 task 2)
                    due = min(year_end, due + timedelta(days=31))
                original = due - timedelta(days=30) if rng.random() < 0.03 else due
                status, progress, done = _status(rng, due, leaf.year, ds.as_of, leaf.issued_on)
                yield {
                    "id": aid, "plan_id": leaf.plan_id, "task_id": leaf.id, "unit_id": unit_id, "role": role,
                    "due_on": due, "original_due_on": original, "deadline_kind": leaf.deadline_kind,
                    "status": status, "progress": progress, "completed_at": done, "source_phrase": source,
                    "created_at": created, "updated_at": done or created,
                }
                aid += 1

    n = insert_rows(conn, table, rows())
    ds.assignment_id_range = (first, first + n - 1)
    largest = conn.execute(
        sa.select(table.c.unit_id, sa.func.count().label("n")).group_by(table.c.unit_id)
        .order_by(sa.desc("n"), table.c.unit_id).limit(1)
    ).one()
    if largest.n < spec.largest_unit_min:
        raise RuntimeError(f"largest unit has {largest.n} assignments, fewer than {spec.largest_unit_min}")
    ds.largest_unit_id = largest.unit_id
    ds.largest_plan_id = conn.scalar(
        sa.select(table.c.plan_id).group_by(table.c.plan_id)
        .order_by(sa.func.count().desc(), table.c.plan_id).limit(1)
    )
