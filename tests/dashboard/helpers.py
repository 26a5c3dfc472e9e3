"""Read the drill-down links of a dashboard page and check each against the list it opens."""
from __future__ import annotations

import re
from html.parser import HTMLParser

TOTAL = re.compile(r'data-total="(\d+)"')


class DrillLinks(HTMLParser):
    """Collect (count, href) of every <a class="drill"> on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "drill" in (a.get("class") or "").split():
            self.links.append((int(a["data-count"]), a["href"]))


def drill_links(html: str) -> list[tuple[int, str]]:
    parser = DrillLinks()
    parser.feed(html)
    return parser.links


def list_total(client, href: str) -> int:
    resp = client.get(href)
    assert resp.status_code == 200, href
    m = TOTAL.search(resp.get_data(as_text=True))
    assert m, href
    return int(m.group(1))


def mismatches(client, html: str) -> tuple[int, list[tuple[int, int, str]]]:
    """Return how many links were checked and those whose number differs from the list's row count."""
    links = drill_links(html)
    seen: dict[str, int] = {}
    bad = []
    for count, href in links:
        if href not in seen:
            seen[href] = list_total(client, href)
        if seen[href] != count:
            bad.append((count, seen[href], href))
    return len(links), bad
