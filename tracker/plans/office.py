"""Convert old Office and WPS files (.doc, .wps, .xls, .et, .rtf) with LibreOffice headless."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .draft import ParseError

#: seconds a conversion may take before LibreOffice is stopped
TIMEOUT = 90
NOT_INSTALLED = (
    "服务器未安装 LibreOffice，无法读取{what}。请在 Word 或 WPS 中将文件另存为 .docx（或导出为 PDF）后重新上传，"
    "或请系统管理员安装 LibreOffice。"
)


def office_binary() -> str | None:
    """Return the LibreOffice program on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str, what: str) -> bytes:
    """Convert the bytes of an old-format file to ``target`` ("docx" or "xlsx") and return the result."""
    office = office_binary()
    if office is None:
        raise ParseError(NOT_INSTALLED.format(what=what))
    with tempfile.TemporaryDirectory(prefix="tracker-office-") as tmp:
        folder = Path(tmp)
        source = folder / f"upload{suffix}"
        source.write_bytes(data)
        # A profile of its own, so a conversion never waits on another LibreOffice's lock.
        profile = (folder / "profile").as_uri()
        command = [office, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo",
                   "--convert-to", target, "--outdir", str(folder / "out"), str(source)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this call started: soffice and its soffice.bin
            proc.communicate()
            raise ParseError(f"LibreOffice 在 {TIMEOUT} 秒内未能打开{what}，文件可能已损坏。"
                             "请在 Word 或 WPS 中将其另存为 .docx 后重新上传。") from None
        result = folder / "out" / f"upload.{target}"
        if proc.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            raise ParseError(f"LibreOffice 无法打开{what}，文件可能已损坏或不是 Word/WPS 文档。"
                             "请在 Word 或 WPS 中将其另存为 .docx 后重新上传。")
        return result.read_bytes()
