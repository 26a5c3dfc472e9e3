"""Every link built during a request carries the request's `as_of`, unless the link names its own."""
from __future__ import annotations

from flask import render_template_string, url_for


def test_links_keep_the_requested_date(app):
    with app.test_request_context("/supervise/overdue?as_of=2021-12-20&page=2"):
        assert url_for("dashboard.index") == "/dashboard/?as_of=2021-12-20"
        assert url_for("dashboard.index", plan=3) == "/dashboard/?plan=3&as_of=2021-12-20"
        # A link that names its own date, or none ("back to today"), keeps its choice.
        assert url_for("dashboard.index", as_of="2021-11-15") == "/dashboard/?as_of=2021-11-15"
        assert url_for("dashboard.index", as_of=None) == "/dashboard/"
        # Pagination keeps it; a removal through url_with removes it.
        assert render_template_string("{{ url_with(page=3) }}") == "/supervise/overdue?as_of=2021-12-20&amp;page=3"
        assert render_template_string("{{ url_with(as_of=None) }}") == "/supervise/overdue?page=2"
        # Static files are not pages.
        assert "as_of" not in url_for("static", filename="x.js")


def test_a_malformed_date_is_not_carried(app):
    with app.test_request_context("/dashboard/?as_of=2021-13-45"):
        assert url_for("plans.index") == "/plans/"
    with app.test_request_context("/dashboard/"):
        assert url_for("plans.index") == "/plans/"
