"""Settings read from the environment (TRACKER_*, DATABASE_URL)."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the settings make it unsafe or impossible to start."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"环境变量 {name} 应为整数，实际为 {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _date(name: str):
    from datetime import date

    raw = os.environ.get(name)
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ConfigError(f"环境变量 {name} 应为日期（YYYY-MM-DD），实际为 {raw!r}") from exc


def from_env() -> dict:
    """Build the settings mapping from environment variables."""
    env = os.environ.get("TRACKER_ENV", "development")
    instance = PROJECT_ROOT / "instance"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'tracker.db'}"
    # Heroku-style URLs name the old driver; psycopg 3 is what we install.
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    secret = os.environ.get("TRACKER_SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigError("生产模式必须设置 TRACKER_SECRET_KEY（会话签名密钥），拒绝启动。")
        secret = instance_secret(instance)
    mb = 1024 * 1024
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_DIR": os.environ.get("TRACKER_UPLOAD_DIR") or str(instance / "uploads"),
        "TIMEZONE": os.environ.get("TRACKER_TIMEZONE", "Asia/Shanghai"),
        # A fixed "today" for the whole app (the demo runs on 2021-11-15); unset: the real date.
        "TODAY": _date("TRACKER_TODAY"),
        "MAX_FILE_BYTES": _int("TRACKER_MAX_FILE_MB", 20) * mb,
        "MAX_CONTENT_LENGTH": _int("TRACKER_MAX_REQUEST_MB", 100) * mb,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("TRACKER_SECURE_COOKIES", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "LOGIN_MAX_FAILURES": _int("TRACKER_LOGIN_MAX_FAILURES", 5),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int("TRACKER_LOGIN_MAX_FAILURES_PER_ADDRESS", 100),
        "PROXY_COUNT": _int("TRACKER_PROXY_COUNT", 0),
        "LOGIN_WINDOW_MINUTES": _int("TRACKER_LOGIN_WINDOW_MINUTES", 15),
        "PAGE_SIZE": _int("TRACKER_PAGE_SIZE", 50),
        "OBJECTION_DAYS": _int("TRACKER_OBJECTION_DAYS", 7),
        # The due-soon window (临期) in working days, the one used by every page and the sweep.
        # TRACKER_SOON_DAYS is its former name, still read.
        "DUE_SOON_WORKDAYS": _int("TRACKER_DUE_SOON_WORKDAYS", _int("TRACKER_SOON_DAYS", 3)),
        "ESCALATE_AFTER_WORKDAYS": _int("TRACKER_ESCALATE_AFTER", 5),
        "TRACKER_SWEEP_TIME": os.environ.get("TRACKER_SWEEP_TIME") or "08:00",
        "TRACKER_LOOKBACK_DATE": os.environ.get("TRACKER_LOOKBACK_DATE") or "01-15",
        "TRACKER_NOTICE_PREFIX": os.environ.get("TRACKER_NOTICE_PREFIX") or None,
        "TRACKER_ESCALATION_PREFIX": os.environ.get("TRACKER_ESCALATION_PREFIX") or None,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BTN_STYLE": "primary",
        "BOOTSTRAP_BTN_SIZE": "sm",
    }


def setting(name: str, default=None):
    """Return one setting of the running app (filled from the environment by from_env), else default.

    The only reader of settings outside app start-up: code asks this, never os.environ.
    """
    from flask import current_app, has_app_context

    if has_app_context():
        value = current_app.config.get(name)
        if value not in (None, ""):
            return value
    return default


#: file under instance/ holding the key generated on first start when none is configured
SECRET_FILE = "secret_key"


def instance_secret(instance: Path) -> str:
    """Return the session key kept in `instance/`, generating a random one on first start."""
    path = instance / SECRET_FILE
    for _ in range(50):
        try:
            existing = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            existing = None
        if existing:
            if len(existing) < 32:
                raise ConfigError(f"{path} 中的会话密钥过短（至少32个字符），请删除该文件后重启以重新生成。")
            return existing
        if existing is None:
            instance.mkdir(parents=True, exist_ok=True)
            try:
                # Readable by the owner only; of several workers starting at once, the first one writes.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            key = secrets.token_hex(32)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(key + "\n")
            return key
        time.sleep(0.05)  # another worker created the file and is writing the key
    raise ConfigError(f"无法读取会话密钥文件 {path}，请检查该文件后重启。")


def redact_url(url: str) -> str:
    """Return a database URL with its password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown without anything after '@'
        return url.split("@")[-1]
