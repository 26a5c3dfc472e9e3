"""Fixtures for the reporting tests: a private upload folder, sample files, and a snapshot of what exists."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.reports.demo import pdf_bytes, png_bytes
from tracker.reports.models import Evidence, ExtensionRequest, ProgressReport

PDF = pdf_bytes(["test evidence"])
PNG = png_bytes(8, 4, 50)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """Return a zip archive holding the given members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
OFD = zip_bytes({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})
ZIP = zip_bytes({"材料/说明.txt": "说明".encode()})


@pytest.fixture
def uploads(app, tmp_path) -> Path:
    """Give the test its own empty upload folder."""
    old = app.config["UPLOAD_DIR"]
    root = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(root)
    yield root
    app.config["UPLOAD_DIR"] = old


@pytest.fixture
def limits(app):
    """Let a test lower the upload limits; the old values come back afterwards."""
    old = app.config["MAX_FILE_BYTES"], app.config["MAX_CONTENT_LENGTH"]

    def set_limits(*, file: int | None = None, request: int | None = None):
        if file is not None:
            app.config["MAX_FILE_BYTES"] = file
        if request is not None:
            app.config["MAX_CONTENT_LENGTH"] = request

    yield set_limits
    app.config["MAX_FILE_BYTES"], app.config["MAX_CONTENT_LENGTH"] = old


def stored_files(root: Path) -> list[Path]:
    """List every file under the upload folder, temporary ones included."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def state(root: Path) -> dict:
    """Return row counts of everything a report write touches, and the files on disk."""
    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return {
        "reports": count(ProgressReport),
        "evidence": count(Evidence),
        "extensions": count(ExtensionRequest),
        "audit": count(AuditEvent),
        "notifications": count(Notification),
        "files": [p.relative_to(root).as_posix() for p in stored_files(root)],
    }
