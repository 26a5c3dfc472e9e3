"""Pages carry no inline script: behaviour comes from tracker/static/tracker.js, and the policy forbids the rest."""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.IGNORECASE | re.DOTALL)


def test_no_template_has_an_inline_handler_or_script():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for m in HANDLER.finditer(text):
            found.append(f"{path.relative_to(TEMPLATES)}: {text[m.start():m.start() + 40]!r}")
        for m in SCRIPT.finditer(text):
            if "src=" not in m.group("attrs") or m.group("body").strip():
                found.append(f"{path.relative_to(TEMPLATES)}: inline <script>")
        if "javascript:" in text:
            found.append(f"{path.relative_to(TEMPLATES)}: javascript: URL")
    assert found == []


def test_the_script_is_served_locally_and_every_page_forbids_inline_script(client, auth, world):
    js = client.get("/static/tracker.js")
    assert js.status_code == 200 and "data-confirm" in js.get_data(as_text=True)
    auth.login(world.supervisor)
    for url in ("/login", "/plans/", "/review", "/public/plans", "/no-such-page"):
        resp = client.get(url)
        policy = dict(p.strip().split(" ", 1) for p in resp.headers["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'", url
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'", url
    page = client.get("/plans/").get_data(as_text=True)
    assert '<script src="/static/tracker.js"></script>' in page
