"""Import of an office's Excel register (all or nothing, rows named) and export in the workbook style."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from tracker.disclosure import io
from tracker.disclosure.models import DisclosureRequest
from tracker.extensions import db

from .conftest import AS_OF, register

D = date

HEADER = ["序号", "申请编号", "申请日期", "申请方式", "申请人类别", "申请人姓名", "联系电话", "申请内容", "办结日期", "办理结果"]


def _xlsx(rows, *, title: str | None = "2021年依申请公开登记表") -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = [
    [1, "YC-001", datetime(2021, 3, 1), "当面", "自然人", "张三", "13800001234", "申请公开老旧小区改造名单", "2021/3/20", "予以公开"],
    [2, "YC-002", "2021-03-05", "网络", "商业企业", "运城某商贸有限公司", "", "申请公开招标文件", "2021年3月25日", "不予公开-4"],
    [3, None, "2021.12.20", "邮寄", "法律服务机构", "某律师事务所", "0359-1234567", "申请公开征收补偿方案", None, None],
]


def test_import_reads_the_header_by_its_words(world):
    rows = io.read_register(_xlsx(GOOD))
    assert [r.number for r in rows] == [3, 4, 5]
    created = io.import_rows(world.reporter, world.finance, rows, as_of=AS_OF)
    got = [(r.serial, r.received_on, r.channel, r.applicant_type, r.state, r.answer_category, r.answered_on) for r in created]
    assert got == [
        ("YC-001", D(2021, 3, 1), "in_person", "natural", "answered", "open", D(2021, 3, 20)),
        ("YC-002", D(2021, 3, 5), "online", "business", "answered", "deny.third_party", D(2021, 3, 25)),
        ("2021-0001", D(2021, 12, 20), "post", "legal_service", "open", None, None),
    ]


@pytest.mark.parametrize("bad,message", [
    ({2: "2021-02-30"}, "第4行：日期“2021-02-30”不存在"),
    ({3: "快递"}, "第4行：收到方式“快递”不是"),
    ({4: "个体户"}, "第4行：申请人类型“个体户”不在年度报告表格的列中"),
    ({9: "不予公开"}, "第4行：答复类型“不予公开”不是年度报告表格中的具体情形"),
    ({2: "2099-01-01"}, "第4行：收到申请日期（2099-01-01）晚于今天"),
    ({7: ""}, "第4行：请填写申请公开的政府信息内容"),
])
def test_one_bad_row_imports_nothing_and_names_the_row(world, bad, message):
    rows = [list(r) for r in GOOD]
    for column, value in bad.items():
        rows[1][column] = value
    parsed = io.read_register(_xlsx(rows))
    with pytest.raises(io.RegisterImportError) as caught:
        io.import_rows(world.reporter, world.finance, parsed, as_of=AS_OF)
    assert caught.value.errors == [next(e for e in caught.value.errors if e.startswith(message))]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisclosureRequest)) == 0


def test_every_bad_row_is_listed(world):
    rows = [list(r) for r in GOOD]
    rows[0][3], rows[2][4] = "飞鸽", "个人"
    with pytest.raises(io.RegisterImportError) as caught:
        io.import_rows(world.reporter, world.finance, io.read_register(_xlsx(rows)), as_of=AS_OF)
    assert [e.split("：")[0] for e in caught.value.errors] == ["第3行", "第5行"]


def test_a_header_without_the_needed_columns_is_refused():
    wb = Workbook()
    wb.active.append(["序号", "申请日期", "申请人", "备注"])
    out = BytesIO()
    wb.save(out)
    with pytest.raises(io.RegisterImportError, match="找不到表头"):
        io.read_register(out.getvalue())
    with pytest.raises(io.RegisterImportError, match="xlsx"):
        io.read_register(b"not a workbook")


def test_import_page_shows_row_errors_and_saves_nothing(client, auth, world):
    rows = [list(r) for r in GOOD]
    rows[2][4] = "个体户"
    auth.login(world.reporter)
    page = client.post("/disclosure/import", data={"unit_id": str(world.finance.id),
                                                   "file": (BytesIO(_xlsx(rows)), "台账.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "未导入任何数据" in page and "第5行：申请人类型“个体户”" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisclosureRequest)) == 0
    resp = client.post("/disclosure/import", data={"unit_id": str(world.finance.id),
                                                   "file": (BytesIO(_xlsx(GOOD)), "台账.xlsx")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "已导入3条申请" in resp.get_data(as_text=True)


def test_export_reimports(world):
    register(world, name="张三", received=D(2021, 9, 28))
    out = BytesIO()
    assert io.write_register(out, world.reporter, unit_id=world.finance.id, year=2021, as_of=AS_OF,
                             with_applicant=True) == 1
    ws = load_workbook(BytesIO(out.getvalue())).worksheets[0]
    assert ws["A1"].value.startswith("测试市财政局依申请公开登记台账")
    rows = io.read_register(out.getvalue())
    assert rows[0].number == 3 and rows[0].values["applicant_name"] == "张三"
    # Open since 2021-09-28, due 11-01; on 2022-03-01 it is overdue.
    values = next(iter(ws.iter_rows(min_row=3, max_row=3, values_only=True)))
    assert values[10] == datetime(2021, 11, 1) and values[14] == "否"
