"""Evidence files on disk: stored once per content (sha256), typed by content, named only for display.

Layout: ``<UPLOAD_DIR>/ab/cd/abcd…`` (the full hex digest, two levels of two hex characters), and
``<UPLOAD_DIR>/tmp/`` for files being received. A file is written under a temporary name and then
moved into place, so a reader never sees half a file. Which files a database transaction wrote is
tracked by the report services, which remove them again when the transaction rolls back.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from ..errors import ServiceError

CHUNK = 64 * 1024
MAX_NAME = 200
MAX_EXTENSION = 16
DEFAULT_NAME = "未命名文件"
ALLOWED_LABEL = "PDF、Word（doc/docx/wps）、Excel（xls/xlsx/et）、OFD、JPG、PNG、ZIP"

#: kind → (content type, extensions a file of this kind may carry, the extension added when it has none)
KINDS: dict[str, tuple[str, frozenset[str], str]] = {
    "pdf": ("application/pdf", frozenset({"pdf"}), "pdf"),
    "png": ("image/png", frozenset({"png"}), "png"),
    "jpeg": ("image/jpeg", frozenset({"jpg", "jpeg"}), "jpg"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             frozenset({"docx", "zip"}), "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             frozenset({"xlsx", "zip"}), "xlsx"),
    "ofd": ("application/ofd", frozenset({"ofd", "zip"}), "ofd"),
    "zip": ("application/zip", frozenset({"zip"}), "zip"),
    # OLE2 compound files carry no type of their own: the extension says which program made them.
    "doc": ("application/msword", frozenset({"doc"}), "doc"),
    "xls": ("application/vnd.ms-excel", frozenset({"xls"}), "xls"),
    "wps": ("application/vnd.ms-works", frozenset({"wps"}), "wps"),
    "et": ("application/vnd.ms-excel", frozenset({"et"}), "et"),
}
ALLOWED_EXTENSIONS = frozenset().union(*(exts for _, exts, _ in KINDS.values()))
INLINE_TYPES = frozenset({"image/png", "image/jpeg"})

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXECUTABLE_MAGIC = (
    b"MZ",                                   # Windows .exe/.dll
    b"\x7fELF",                              # Linux
    b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe",  # Mach-O
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe",
)
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*\\/]')


class UploadRejected(ServiceError):
    """A file was refused; nothing was kept."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    #: the cleaned display name, with an extension that matches the content
    original_name: str
    path: Path
    #: True when this call put the bytes on disk; False when the same content was already stored
    is_new: bool


def upload_root() -> Path:
    """Return the configured upload folder."""
    from flask import current_app

    return Path(current_app.config["UPLOAD_DIR"])


def path_for(sha256: str, root: Path | None = None) -> Path:
    """Return where the file with this digest lives."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return (root or upload_root()) / sha256[:2] / sha256[2:4] / sha256


def split_extension(name: str) -> tuple[str, str]:
    """Split a name into stem and lower-case extension (without the dot); '' when there is none."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or len(ext) > MAX_EXTENSION or not ext.isascii() or not ext.isalnum():
        return name, ""
    return stem, ext.lower()


def sanitize_filename(raw: str | None, limit: int = MAX_NAME) -> str:
    """Return a display name: no folders, no control or invisible characters, at most `limit` characters."""
    name = unicodedata.normalize("NFC", raw or "")
    # Browsers on Windows may send the full path; only the last part is the file's name.
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"[\t\n\r\v\f]", " ", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = _UNSAFE_NAME_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return DEFAULT_NAME
    if len(name) > limit:
        stem, ext = split_extension(name)
        suffix = f".{ext}" if ext else ""
        name = stem[: limit - len(suffix)].rstrip(" .") + suffix
    return name


def _kind_from_zip(path: Path, label: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRejected(f"文件“{label}”是损坏的压缩文件，无法打开，请重新导出后上传。") from None
    if not names:
        raise UploadRejected(f"文件“{label}”是空的压缩包。")
    lower = [n.lower() for n in names]
    if any(n.endswith("vbaproject.bin") for n in lower):
        raise UploadRejected(f"文件“{label}”含有宏代码，请另存为不含宏的 docx/xlsx 后上传。")
    if any(n.startswith("word/") for n in lower):
        return "docx"
    if any(n.startswith("xl/") for n in lower):
        return "xlsx"
    if "ofd.xml" in lower:
        return "ofd"
    return "zip"


def detect_kind(path: Path, name: str) -> str:
    """Return the kind of a received file from its content; raise UploadRejected for anything not allowed."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head:
        raise UploadRejected(f"文件“{name}”是空文件（0字节），请检查后重新选择。")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _kind_from_zip(path, name)
    if head.startswith(_OLE2):
        ext = split_extension(name)[1]
        if ext in ("doc", "xls", "wps", "et"):
            return ext
        raise UploadRejected(
            f"文件“{name}”是旧版 Office/WPS 文件，但扩展名不是 doc、xls、wps 或 et，无法确认类型。"
            "请使用正确的扩展名，或另存为 docx/xlsx/pdf 后上传。"
        )
    if any(head.startswith(m) for m in _EXECUTABLE_MAGIC):
        raise UploadRejected(f"文件“{name}”是可执行程序，不允许上传（与扩展名无关，按文件内容判断）。")
    text_head = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if text_head.startswith(b"#!") or text_head.startswith((b"@echo", b"<?php")):
        raise UploadRejected(f"文件“{name}”是脚本文件，不允许上传。")
    if text_head.startswith(b"<"):
        raise UploadRejected(f"文件“{name}”是网页或 XML 文件，不允许上传，请打印为 PDF 后上传。")
    raise UploadRejected(f"不支持文件“{name}”的类型。允许的类型：{ALLOWED_LABEL}（按文件内容判断，改扩展名无效）。")


def resolve_name(name: str, kind: str) -> tuple[str, str]:
    """Return the display name and content type to keep for a file of this kind.

    An allowed extension that contradicts the content is refused; a missing or foreign one gets
    the kind's extension appended, so the name a user downloads matches what the file is.
    """
    content_type, exts, default_ext = KINDS[kind]
    ext = split_extension(name)[1]
    if ext in exts:
        # An Office or OFD package named .zip is served as the archive its name promises.
        return name, KINDS["zip"][0] if ext == "zip" else content_type
    if ext in ALLOWED_EXTENSIONS:
        raise UploadRejected(
            f"文件“{name}”的扩展名是 .{ext}，但内容是 {default_ext.upper()} 文件，请确认选择了正确的文件。"
        )
    return sanitize_filename(f"{name}.{default_ext}"), content_type


def _move_into_place(temp: Path, final: Path) -> None:
    """Publish a fully written temporary file under its content name (atomic on one file system)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, final)


def store(stream: BinaryIO, filename: str | None, *, max_bytes: int, root: Path | None = None) -> StoredFile:
    """Receive one upload: hash it while copying to a temporary file, check size and type, move it into place."""
    root = root or upload_root()
    name = sanitize_filename(filename)
    tmp_dir = root / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    temp = tmp_dir / f"{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(temp, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRejected(
                        f"文件“{name}”超过单个文件大小限制（{format_size(max_bytes)}），请压缩或拆分后上传。", status=413
                    )
                digest.update(chunk)
                out.write(chunk)
        kind = detect_kind(temp, name)
        display, content_type = resolve_name(name, kind)
        sha = digest.hexdigest()
        final = path_for(sha, root)
        is_new = not final.exists()
        if is_new:
            _move_into_place(temp, final)
        return StoredFile(sha256=sha, size=size, content_type=content_type, original_name=display,
                          path=final, is_new=is_new)
    finally:
        temp.unlink(missing_ok=True)


def remove(sha256: str, root: Path | None = None) -> bool:
    """Delete a stored file and its empty folders; return whether a file was removed."""
    path = path_for(sha256, root)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    for folder in (path.parent, path.parent.parent):
        try:
            folder.rmdir()
        except OSError:
            break  # not empty, or already gone
    return True


def format_size(size: int) -> str:
    """Return a size for people: 812 B, 35.2 KB, 20 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    mb = size / (1024 * 1024)
    return f"{mb:.0f} MB" if mb.is_integer() else f"{mb:.1f} MB"


def ascii_fallback(name: str) -> str:
    """Return an ASCII stand-in for a file name, for clients that ignore filename*."""
    stem, ext = split_extension(name)
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._()\- ]+", "_", plain)
    plain = re.sub(r"\(\s*\)", "", plain)
    plain = re.sub(r"[-_ ]{2,}", "_", plain).strip(" ._-")
    # A name that was mostly Chinese leaves a few stray characters: a neutral word reads better.
    if len(re.findall(r"[A-Za-z0-9]", plain)) < 3:
        plain = "evidence"
    return f"{plain}.{ext}" if ext else plain


def content_disposition(name: str, *, inline: bool, ascii_name: str | None = None) -> str:
    """Return a Content-Disposition value with an ASCII filename and the RFC 5987 UTF-8 filename*."""
    disposition = "inline" if inline else "attachment"
    encoded = quote(name, safe="!#$&+-.^_`|~")  # RFC 5987 attr-char
    return f"{disposition}; filename=\"{ascii_name or ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"
