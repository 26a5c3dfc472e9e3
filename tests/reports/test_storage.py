"""Evidence storage: type by content, names for display only, content-addressed files."""
from __future__ import annotations

import hashlib
import io

import pytest

from tracker.reports import storage
from tracker.reports.storage import UploadRejected
from tests.reports.conftest import DOCX, EXE, JPEG, OFD, OLE2, PDF, PNG, XLSX, ZIP, stored_files, zip_bytes

MB = 1024 * 1024


def put(root, data: bytes, name: str, max_bytes: int = 20 * MB) -> storage.StoredFile:
    return storage.store(io.BytesIO(data), name, max_bytes=max_bytes, root=root)


@pytest.mark.parametrize("data, name, content_type", [
    (PDF, "年度报告.pdf", "application/pdf"),
    (PNG, "截图.png", "image/png"),
    (JPEG, "照片.JPG", "image/jpeg"),
    (JPEG, "照片.jpeg", "image/jpeg"),
    (DOCX, "方案.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (XLSX, "台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (OFD, "公文.ofd", "application/ofd"),
    (ZIP, "材料.zip", "application/zip"),
    (DOCX, "打包.zip", "application/zip"),
    (OLE2, "旧方案.doc", "application/msword"),
    (OLE2, "旧台账.xls", "application/vnd.ms-excel"),
    (OLE2, "金山文字.wps", "application/vnd.ms-works"),
    (OLE2, "金山表格.et", "application/vnd.ms-excel"),
])
def test_allowed_types_are_recognised_by_content(tmp_path, data, name, content_type):
    f = put(tmp_path, data, name)
    assert f.content_type == content_type
    assert f.original_name == name
    assert f.sha256 == hashlib.sha256(data).hexdigest()
    assert f.size == len(data)
    assert f.path == tmp_path / f.sha256[:2] / f.sha256[2:4] / f.sha256
    assert f.path.read_bytes() == data
    assert not list((tmp_path / "tmp").iterdir())


@pytest.mark.parametrize("data, name, message", [
    (EXE, "通知.pdf", "是可执行程序"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "报告.docx", "是可执行程序"),
    (b"#!/bin/sh\nrm -rf /\n", "说明.pdf", "是脚本文件"),
    (b"<!DOCTYPE html><html><script>alert(1)</script>", "页面.pdf", "是网页"),
    (b"\xef\xbb\xbf  <svg onload=alert(1)>", "图.png", "是网页"),
    (b"", "空.pdf", "是空文件（0字节）"),
    (b"just some text", "说明.txt", "不支持文件“说明.txt”的类型"),
    (b"PK\x03\x04broken", "坏.zip", "损坏的压缩文件"),
    (zip_bytes({"word/document.xml": b"x", "word/vbaProject.bin": b"x"}), "宏.docm", "含有宏代码"),
    (OLE2, "安装包.msi", "扩展名不是 doc、xls、wps 或 et"),
    (PDF, "伪装.docx", "扩展名是 .docx，但内容是 PDF"),
])
def test_bad_files_are_refused_and_nothing_is_kept(tmp_path, data, name, message):
    with pytest.raises(UploadRejected) as exc:
        put(tmp_path, data, name)
    assert message in exc.value.message
    assert exc.value.status == 400
    assert stored_files(tmp_path) == []


def test_file_over_the_limit_is_a_413_and_leaves_nothing(tmp_path):
    with pytest.raises(UploadRejected) as exc:
        put(tmp_path, PDF + b"0" * 2000, "大文件.pdf", max_bytes=1024)
    assert exc.value.status == 413
    assert "超过单个文件大小限制（1.0 KB）" in exc.value.message
    assert stored_files(tmp_path) == []


def test_same_content_is_stored_once(tmp_path):
    first = put(tmp_path, PDF, "a.pdf")
    second = put(tmp_path, PDF, "另一个名字.pdf")
    assert first.is_new and not second.is_new
    assert first.path == second.path
    assert second.original_name == "另一个名字.pdf"
    assert len(stored_files(tmp_path)) == 1


def test_missing_or_foreign_extension_gets_the_real_one(tmp_path):
    assert put(tmp_path, PDF, "扫描件").original_name == "扫描件.pdf"
    assert put(tmp_path, PNG, "截图.exe").original_name == "截图.exe.png"


@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system.ini", "system.ini"),
    ("C:\\Users\\张三\\Desktop\\总结.docx", "总结.docx"),
    ("报告\x00\x07\x1b[31m.pdf", "报告[31m.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("a<b>c:d\"e|f?g*.pdf", "a_b_c_d_e_f_g_.pdf"),
    ("  ..隐藏.pdf  ", "隐藏.pdf"),
    ("..", storage.DEFAULT_NAME),
    ("", storage.DEFAULT_NAME),
    (None, storage.DEFAULT_NAME),
    ("多个   空格\t文件.pdf", "多个 空格 文件.pdf"),
])
def test_sanitize_filename(raw, expected):
    assert storage.sanitize_filename(raw) == expected


def test_long_names_are_cut_to_200_characters_keeping_the_extension():
    name = storage.sanitize_filename("很" * 300 + ".pdf")
    assert len(name) == 200 and name.endswith("很.pdf")
    assert len(storage.sanitize_filename("x" * 300)) == 200


def test_path_for_refuses_anything_but_a_digest(tmp_path):
    with pytest.raises(ValueError):
        storage.path_for("../../etc/passwd", tmp_path)


def test_remove_deletes_the_file_and_empty_folders(tmp_path):
    f = put(tmp_path, PDF, "a.pdf")
    assert storage.remove(f.sha256, tmp_path) is True
    assert not f.path.exists() and not f.path.parent.exists()
    assert storage.remove(f.sha256, tmp_path) is False


def test_content_disposition_has_ascii_fallback_and_rfc5987_name():
    value = storage.content_disposition("2021年度 报告(终稿).pdf", inline=False)
    assert value == ("attachment; filename=\"2021.pdf\"; "
                     "filename*=UTF-8''2021%E5%B9%B4%E5%BA%A6%20%E6%8A%A5%E5%91%8A%28%E7%BB%88%E7%A8%BF%29.pdf")
    assert storage.content_disposition("截图.png", inline=True).startswith('inline; filename="evidence.png"; ')
    assert storage.content_disposition('ab"c.pdf', inline=False).startswith('attachment; filename="ab_c.pdf"')
    assert storage.ascii_fallback("永济市-进展材料-1.1.pdf") == "evidence.pdf"
    assert storage.ascii_fallback("Report 2021 (final).docx") == "Report 2021 (final).docx"


def test_format_size():
    assert storage.format_size(812) == "812 B"
    assert storage.format_size(1536) == "1.5 KB"
    assert storage.format_size(20 * MB) == "20 MB"
