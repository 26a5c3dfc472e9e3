"""No internal code anywhere a user can see: every GET page, workbook and .docx, as every demo login, at two dates.

The forbidden words are the code's own vocabularies (status values, role names, unit kinds, audit
actions and object types, rubric rule types and keys, job names, inbox kinds, disclosure codes…),
so they grow with the code. Only visible text is read: text nodes, option texts and the attributes
a user reads (title, placeholder, alt, aria-label), never href/value/name. Legitimately visible
English (URLs, file names, login names, "PDF"…) is removed first.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.test_access_matrix import EXPECTED_ROLES
from tracker.extensions import db

DATES = [date(2021, 11, 15), date(2022, 1, 10)]
#: demo login of each role (tracker.demo.services.DEMO_USERS)
LOGINS = {"anonymous": None, "admin": "admin", "supervisor": "duban", "leader": "lingdao", "reporter": "caizheng"}
DEMO_PASSWORD = "demo-2021"
#: pages whose very purpose is to show code to the admin who asked for it: the YAML rubric import
RAW_PAGES = {"assessment.rubric_yaml", "assessment.rubric_export"}
#: links followed from the pages, per role, beyond one URL per route (tabs, filters, pages)
CRAWL_LIMIT = 80
#: downloads that read the same for every role: fetched by the first role that may (the 年度报告 .docx takes seconds)
ONCE = {"annual.docx"}
#: words a user legitimately sees in English
ALLOWED = {"PDF", "Excel", "Word", "YAML", "OFD", "WPS", "ID", "URL", "IP", "UTF", "CSV", "xlsx", "docx", "pdf",
           "doc", "xls", "zip", "yaml", "csv", "txt"}


def vocabulary() -> dict[str, str]:
    """Every internal key a user must not see → where it comes from."""
    from tracker.access import ROLE_LABELS as USER_ROLES
    from tracker.annual.models import SOURCE_LABELS
    from tracker.assessment.models import OBJECTION_STATUS_LABELS
    from tracker.assessment.rubric import RULE_PARAMS, RULE_TYPES, load_rubric
    from tracker.audit.labels import ACTION_LABELS, FIELD_LABELS, OBJECT_LABELS
    from tracker.config import PROJECT_ROOT
    from tracker.disclosure.categories import (ANSWERS, APPEAL_KINDS, APPEAL_RESULTS, APPLICANT_TYPES, CHANNELS,
                                               FEE_METHODS, PAUSE_KINDS, STATES)
    from tracker.inbox.models import KIND_LABELS as INBOX_KINDS
    from tracker.jobs import runner
    from tracker.jobs.pages import TRIGGER_LABELS
    from tracker.plans.models import DEADLINE_KIND_LABELS, ROLE_LABELS, STATUS_LABELS
    from tracker.plans.status import STATUSES
    from tracker.reports.models import EXTENSION_STATUS_LABELS, REPORT_STATUS_LABELS
    from tracker.supervise.documents import KIND_LABELS as DOCUMENT_KINDS
    from tracker.supervise.models import (CIRCULAR_KIND_LABELS, CIRCULAR_STATUS_LABELS, ITEM_STATUS_LABELS,
                                          OUTCOME_LABELS, STAGE_LABELS)
    from tracker.supervise.rules import PERIOD_LABELS
    from tracker.units.models import UNIT_KINDS

    words: dict[str, str] = {}

    def add(source: str, keys) -> None:
        for key in keys:
            words.setdefault(str(key), source)

    add("status", [*STATUS_LABELS, *STATUSES, *REPORT_STATUS_LABELS, *EXTENSION_STATUS_LABELS, *ITEM_STATUS_LABELS,
                   *CIRCULAR_STATUS_LABELS, *OBJECTION_STATUS_LABELS, *STATES, *OUTCOME_LABELS, *STAGE_LABELS])
    add("role", [*USER_ROLES, *ROLE_LABELS])
    add("unit kind", UNIT_KINDS)
    add("deadline kind", DEADLINE_KIND_LABELS)
    add("audit action", ACTION_LABELS)
    add("audit object", OBJECT_LABELS)
    add("audit field", [k for k in FIELD_LABELS if "_" in k])  # plain words (name, title) are too common
    add("rule type", RULE_TYPES)
    add("rule setting", [p.key for p in RULE_PARAMS if "_" in p.key])
    rubric = load_rubric((PROJECT_ROOT / "seeds" / "rubric.yaml").read_text(encoding="utf-8"))
    add("rubric key", [r.code for r in rubric.rules] + [i.code for i in rubric.indicators])
    add("job", runner.registry())
    add("job trigger", TRIGGER_LABELS)
    add("inbox kind", INBOX_KINDS)
    add("document kind", DOCUMENT_KINDS)
    add("circular kind", CIRCULAR_KIND_LABELS)
    add("period", PERIOD_LABELS)
    add("disclosure code", [*CHANNELS, *APPLICANT_TYPES, *FEE_METHODS, *ANSWERS, *APPEAL_KINDS, *APPEAL_RESULTS,
                            *PAUSE_KINDS])
    add("annual source", SOURCE_LABELS)
    add("command", ["flask", "scheduler"])
    add("python", ["None", "True", "False", "nan", "NaN"])
    for word in ALLOWED:
        words.pop(word, None)
    return words


#: Python reprs and leftovers that are wrong anywhere
REPRS = ("=None", "{'", "['", "<built-in", "object at 0x", "Decimal(", "datetime.date(", "Undefined")
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+|\S+\.(?:pdf|docx?|xlsx?|txt|yaml|yml|csv|zip|"
                  r"jpe?g|png|ofd|wps|rar|7z|html?)\b", re.I)
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z0-9_]+)*")


def leaks(text: str, words: dict[str, str], exempt: set[str]) -> list[str]:
    found = []
    for r in REPRS:
        if r in text:
            found.append(r)
    text = _URL.sub(" ", text)
    for token in _TOKEN.findall(text):
        if token in exempt:
            continue
        for part in {token, *re.split(r"[.:]", token)}:
            if part in words and part not in exempt:
                found.append(f"{token}（{words[part]}）")
                break
    return found


class Visible(HTMLParser):
    """Collect what a reader sees: text (not script/style) and the attributes read aloud or shown."""

    SHOWN = ("title", "placeholder", "alt", "aria-label", "data-confirm", "data-count-empty")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hrefs: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        for name in self.SHOWN:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    out = []
    for ws in wb.worksheets:
        out.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            out.extend(str(v) for v in row if v is not None)
    # headers and footers
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                out.extend(re.findall(r"<(?:oddHeader|oddFooter)>([^<]*)<", z.read(name).decode("utf-8")))
    return "\n".join(out)


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                      if n.startswith("word/") and n.endswith(".xml")
                      and any(part in n for part in ("document", "header", "footer")))
    return re.sub(r"<[^>]+>", "", re.sub(r"</w:p>", "\n", xml))


def demo_ids() -> dict[str, list[int | str]]:
    """Route arguments filled from the demo's objects, the reporter's own unit first where it matters."""
    from tracker.accounts.models import User
    from tracker.annual.models import AnnualReport
    from tracker.assessment.models import AssessmentVersion
    from tracker.disclosure.documents import KINDS as DOC_KINDS
    from tracker.disclosure.models import DisclosureDocument, DisclosureRequest
    from tracker.plans.models import Assignment, Plan, PlanImport
    from tracker.reports.models import Evidence, ProgressReport
    from tracker.supervise.models import Circular, EscalationNotice, RectificationItem, RectificationNotice
    from tracker.units.models import UnitGroup

    def first(stmt):
        return db.session.scalar(stmt.limit(1))

    reporter = db.session.scalar(sa.select(User).where(User.username == LOGINS["reporter"]))
    unit = reporter.unit_id
    plan = first(sa.select(Plan.id).where(Plan.doc_number == "运政办发〔2021〕31号"))
    assignment = first(sa.select(Assignment.id).where(Assignment.unit_id == unit, Assignment.plan_id == plan)
                       .join(ProgressReport, ProgressReport.assignment_id == Assignment.id)
                       .order_by(ProgressReport.status.desc(), Assignment.id)) \
        or first(sa.select(Assignment.id).where(Assignment.unit_id == unit))
    task = db.session.get(Assignment, assignment).task_id
    evidence = db.session.execute(sa.select(Evidence.report_id, Evidence.id).limit(1)).first()
    item = first(sa.select(RectificationItem.id).join(Assignment, RectificationItem.assignment_id == Assignment.id)
                 .where(Assignment.unit_id == unit)) or first(sa.select(RectificationItem.id))
    request = first(sa.select(DisclosureRequest.id).join(DisclosureDocument,
                                                         DisclosureDocument.request_id == DisclosureRequest.id)) \
        or first(sa.select(DisclosureRequest.id))
    document = first(sa.select(DisclosureDocument.id).where(DisclosureDocument.request_id == request))
    return {
        "user_id": [reporter.id], "unit_id": [unit], "group_id": [first(sa.select(UnitGroup.id))],
        "plan_id": [plan], "task_id": [task], "import_id": [first(sa.select(PlanImport.id))], "index": [0],
        "assignment_id": [assignment],
        "report_id": [evidence[0] if evidence else first(sa.select(ProgressReport.id))],
        "evidence_id": [evidence[1] if evidence else 1],
        "escalation_id": [first(sa.select(EscalationNotice.id).where(EscalationNotice.unit_id == unit))
                          or first(sa.select(EscalationNotice.id))],
        "notice_id": [first(sa.select(RectificationNotice.id).where(RectificationNotice.unit_id == unit))
                      or first(sa.select(RectificationNotice.id))],
        "item_id": [item], "circular_id": [first(sa.select(Circular.id))],
        "version_id": [first(sa.select(AssessmentVersion.id))],
        "annual_report_id": [first(sa.select(AnnualReport.id))],
        "request_id": [request], "document_id": [document or 1], "kind": list(DOC_KINDS), "year": [2021],
    }


def urls_for(rule, ids) -> list[str]:
    urls = [rule.rule]
    for name in rule.arguments:
        pattern = re.compile(r"<(?:[a-z]+:)?%s>" % name)
        urls = [pattern.sub(str(v), u) for u in urls for v in ids.get(name, [1])]
    return urls


def check(resp, url, words, exempt) -> list[str]:
    kind = resp.mimetype or ""
    data = resp.get_data()
    if kind == "text/html":
        parser = Visible()
        parser.feed(data.decode("utf-8"))
        text = "\n".join(parser.parts)
    elif "spreadsheetml" in kind:
        text = xlsx_text(data)
    elif "wordprocessingml" in kind:
        text = docx_text(data)
    else:
        return []
    return [f"{url}: {leak}" for leak in leaks(text, words, exempt)]


def walk(app, client, who, words, exempt, ids, today, once: set[str]) -> tuple[int, list[str]]:
    found: list[str] = []
    seen: set[str] = set()
    signatures: set[tuple] = set()
    queue: list[str] = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or rule.endpoint in RAW_PAGES:
            continue
        allowed = EXPECTED_ROLES[rule.endpoint]
        if not ("public" in allowed or who in allowed):
            continue
        if rule.endpoint in ONCE:
            if rule.endpoint in once:
                continue
            once.add(rule.endpoint)
        queue.extend(urls_for(rule, ids))
    adapter = app.url_map.bind("localhost")
    crawled = 0
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        resp = client.get(url)
        if resp.status_code != 200:
            continue
        found.extend(check(resp, url, words, exempt))
        if resp.mimetype != "text/html":
            continue
        parser = Visible()
        parser.feed(resp.get_data(as_text=True))
        for href in parser.hrefs:
            # as_of=<today> is the page without it
            href = re.sub(r"([?&])as_of=%s(&|$)" % today.isoformat(), lambda m: m.group(1) if m.group(2) else "",
                          href).rstrip("?&")
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or href in seen:
                continue
            try:
                endpoint, _ = adapter.match(parts.path, method="GET")
            except Exception:
                continue
            if endpoint in RAW_PAGES or endpoint in ONCE or endpoint.endswith("static") or endpoint == "accounts.logout":
                continue
            keys = tuple(sorted(k.split("=")[0] for k in parts.query.split("&") if k and not k.startswith("page=")))
            signature = (endpoint, keys)
            if signature in signatures or crawled >= CRAWL_LIMIT:
                continue
            signatures.add(signature)
            crawled += 1
            queue.append(href)
    return len(seen), found


@pytest.mark.parametrize("today", DATES, ids=[d.isoformat() for d in DATES])
def test_no_internal_code_on_any_page_download_or_document(app, client, runner, today):
    from tracker.accounts.models import User
    from tracker.public.views import page_cache

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.commit()
    app.config["TODAY"] = today
    page_cache(app).clear()
    words = vocabulary()
    exempt = set(db.session.scalars(sa.select(User.username)))  # login names are the users' own
    ids = demo_ids()
    failures, pages, once = [], 0, set()
    for who, login in LOGINS.items():
        if login:
            resp = client.post("/login", data={"username": login, "password": DEMO_PASSWORD})
            assert resp.status_code == 302, (who, resp.status_code)
        visited, found = walk(app, client, who, words, exempt, ids, today, once)
        pages += visited
        failures += [f"{who} {f}" for f in found]
        if who == "supervisor":
            # flash messages: a sweep run from the page, and a refused date
            for data in ({"as_of": today.isoformat()}, {"as_of": "2021-02-30"}):
                resp = client.post("/supervise/jobs/sweep", data=data, follow_redirects=True)
                failures += [f"{who} POST sweep {data}: {f}" for f in check(resp, "/supervise/jobs", words, exempt)]
        if login:
            client.post("/logout")
    assert pages > 300
    assert failures == [], f"{len(failures)} leaks:\n" + "\n".join(sorted(set(failures)))


def test_the_check_finds_what_it_should():
    words = {"overdue": "status", "county_gov": "unit kind", "report_returned": "rule type", "sweep": "job"}
    assert leaks("逾期 overdue=471", words, set()) == ["overdue（status）"]
    assert leaks("report_returned:report:198", words, set()) == ["report_returned:report:198（rule type）"]
    assert leaks("县级政府（county_gov）", words, set()) == ["county_gov（unit kind）"]
    assert leaks("calendar_warning=None", words, set()) == ["=None"]
    assert leaks("见 https://example.gov.cn/sweep/overdue.html 与 overdue_2021.pdf", words, set()) == []
    assert leaks("登录名 sweep", words, {"sweep"}) == []
    parser = Visible()
    parser.feed('<a href="/x?status=overdue" title="逾期">逾期</a><script>var overdue;</script>'
                '<option value="county_gov">县级政府</option>')
    assert leaks("\n".join(parser.parts), words, set()) == []
