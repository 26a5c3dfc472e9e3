from __future__ import annotations

import pytest

from tracker import create_app
from tracker.config import ConfigError, from_env, redact_url


@pytest.mark.no_db
def test_production_without_secret_refuses_to_start(monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY"):
        create_app()


@pytest.mark.no_db
def test_production_with_secret_reads_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("TRACKER_UPLOAD_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_SECURE_COOKIES", "1")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/tracker")
    settings = from_env()
    assert settings["SECRET_KEY"] == "s" * 32
    assert settings["UPLOAD_DIR"] == str(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert settings["TIMEZONE"] == "Asia/Shanghai"


@pytest.mark.no_db
def test_unreachable_database_is_named_without_password(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://tracker:topsecret@127.0.0.1:1/nowhere")
    with pytest.raises(ConfigError) as exc:
        create_app()
    message = str(exc.value)
    assert "无法连接数据库" in message
    assert "127.0.0.1:1/nowhere" in message
    assert "topsecret" not in message


@pytest.mark.no_db
def test_bad_integer_setting(monkeypatch):
    monkeypatch.setenv("TRACKER_MAX_FILE_MB", "lots")
    with pytest.raises(ConfigError, match="TRACKER_MAX_FILE_MB"):
        from_env()


@pytest.mark.no_db
def test_redact_url():
    assert "pw" not in redact_url("postgresql+psycopg://me:pw@h/db")


@pytest.mark.no_db
def test_fixed_today_is_read_and_a_bad_one_refused(monkeypatch):
    from datetime import date

    monkeypatch.setenv("TRACKER_TODAY", "2021-11-15")
    assert from_env()["TODAY"] == date(2021, 11, 15)
    monkeypatch.setenv("TRACKER_TODAY", "2021-13-01")
    with pytest.raises(ConfigError, match="TRACKER_TODAY"):
        from_env()
    monkeypatch.delenv("TRACKER_TODAY")
    assert from_env()["TODAY"] is None


def test_app_today_follows_the_fixed_date(app, monkeypatch):
    from datetime import date

    from tracker.timeutil import app_today, local_today

    monkeypatch.setitem(app.config, "TODAY", date(2021, 11, 15))
    with app.app_context():
        assert app_today() == date(2021, 11, 15)
    monkeypatch.setitem(app.config, "TODAY", None)
    with app.app_context():
        assert app_today() == local_today(app.config["TIMEZONE"])


@pytest.mark.no_db
def test_without_a_key_a_random_one_is_generated_and_kept(monkeypatch, tmp_path):
    import stat

    from tracker import config

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    first = from_env()["SECRET_KEY"]
    assert first != "dev-insecure-key-change-me" and len(first) >= 64
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert from_env()["SECRET_KEY"] == first  # the next start (or another worker) signs with the same key
    other = tmp_path / "other"
    monkeypatch.setattr(config, "PROJECT_ROOT", other)
    assert from_env()["SECRET_KEY"] != first  # every installation has its own


@pytest.mark.no_db
def test_a_short_key_file_is_refused(monkeypatch, tmp_path):
    from tracker import config

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("dev-insecure-key-change-me")
    with pytest.raises(ConfigError, match="过短"):
        from_env()



@pytest.mark.no_db
def test_an_app_started_without_a_key_does_not_sign_with_the_published_one(monkeypatch, tmp_path):
    from tracker import config

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.secret_key == (tmp_path / "instance" / "secret_key").read_text().strip()


def test_one_due_soon_setting_read_once(monkeypatch, app):
    from datetime import date

    from tracker.config import from_env, setting
    from tracker.plans.status import StatusRules

    monkeypatch.delenv("TRACKER_SOON_DAYS", raising=False)
    monkeypatch.delenv("TRACKER_DUE_SOON_WORKDAYS", raising=False)
    assert from_env()["DUE_SOON_WORKDAYS"] == 3
    monkeypatch.setenv("TRACKER_SOON_DAYS", "4")  # the former name
    assert from_env()["DUE_SOON_WORKDAYS"] == 4
    monkeypatch.setenv("TRACKER_DUE_SOON_WORKDAYS", "5")
    assert from_env()["DUE_SOON_WORKDAYS"] == 5
    monkeypatch.setenv("TRACKER_DUE_SOON_WORKDAYS", "三")
    with pytest.raises(ConfigError, match="TRACKER_DUE_SOON_WORKDAYS"):
        from_env()
    # Every view and the sweep read it through the app's config.
    before = app.config["DUE_SOON_WORKDAYS"]
    app.config["DUE_SOON_WORKDAYS"] = 5
    try:
        assert setting("DUE_SOON_WORKDAYS") == 5
        # Monday 15 November 2021 + 5 working days = Monday 22 November.
        assert StatusRules.at(date(2021, 11, 15)).soon_until == date(2021, 11, 22)
    finally:
        app.config["DUE_SOON_WORKDAYS"] = before
    assert setting("NO_SUCH_SETTING", "默认") == "默认"
