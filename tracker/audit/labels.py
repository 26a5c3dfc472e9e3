"""The audit log in Chinese: one table of labels for every action, object type and recorded field.

``tests/audit/test_labels.py`` walks every ``record(...)`` call in the code (and the demo's log)
and fails when an action, object type or field has no label here.
"""
from __future__ import annotations

#: action string (as passed to record) → what the log shows
ACTION_LABELS: dict[str, str] = {
    # accounts
    "user.create": "新建用户", "user.update": "修改用户", "user.reset_password": "重置密码",
    "user.login": "登录", "user.login_failed": "登录失败", "user.logout": "退出登录",
    "user.end_sessions": "结束全部会话", "user.unlock": "解除登录锁定",
    "user.activate": "启用用户", "user.deactivate": "停用用户",
    # units and groups
    "unit.create": "新建单位", "unit.update": "修改单位", "unit.rename": "单位更名", "unit.merge": "合并单位",
    "unit.import": "导入单位名录", "unit.activate": "启用单位", "unit.deactivate": "停用单位",
    "group.create": "新建统称", "group.update": "修改统称", "group.delete": "删除统称",
    # plans and tasks
    "plan_import.start": "上传工作要点", "plan_import.map_name": "确认单位名称", "plan_import.edit_task": "修改导入的任务",
    "plan_import.discard": "放弃导入",
    "plan.import": "导入工作要点", "plan.update": "重新导入工作要点", "plan.withdraw": "撤回工作要点",
    "plan.archive": "归档工作要点", "plan.publish": "公开工作要点", "plan.unpublish": "取消公开工作要点",
    "task.add": "新增任务", "task.update": "修改任务", "task.complete": "任务办结", "item.create": "新增交办件",
    "assignment.add": "增加责任单位", "assignment.role": "调整单位角色", "assignment.remove": "移除责任单位",
    "assignment.withdraw": "撤回交办", "assignment.move": "转交其他单位", "assignment.extend": "调整完成时限",
    "assignment.remind": "催办",
    # reports and extensions
    "report.save_draft": "保存进展报告草稿", "report.submit": "提交进展报告", "report.approve": "通过进展报告",
    "report.return": "退回进展报告", "report.publish": "公开进展报告", "report.unpublish": "取消公开进展报告",
    "evidence.remove": "删除佐证材料",
    "extension.request": "申请延期", "extension.approve": "批准延期", "extension.reject": "不批准延期",
    # supervision
    "supervise.sweep": "逾期巡查", "supervise.lookback": "回头看检查",
    "rectification.answer": "报送整改情况", "rectification.return": "退回整改情况", "rectification.close": "整改销号",
    "circular.draft": "起草通报", "circular.update": "修改通报", "circular.publish": "印发通报", "circular.delete": "删除通报",
    "calendar.override": "调整工作日", "calendar.override_delete": "删除工作日调整",
    "office.save": "保存发文机关",
    "job.schedule": "设置定时任务",
    "reminder.send": "催办",
    # assessment
    "rubric.save": "保存考核细则", "assessment.compute": "计算考核结果", "assessment.freeze": "发布考核结果",
    "bonus.add": "录入加分", "bonus.delete": "删除加分", "objection.file": "提出申诉", "objection.decide": "处理申诉",
    # 依申请公开
    "disclosure.register": "登记申请", "disclosure.edit": "修改申请登记", "disclosure.answer": "答复申请",
    "disclosure.correction_notice": "告知补正", "disclosure.corrected": "申请人补正",
    "disclosure.extend": "延长答复期限", "disclosure.delayed": "记录逾期答复",
    "disclosure.pause_start": "中止计时", "disclosure.pause_end": "恢复计时",
    "disclosure.fee_notice": "通知缴纳信息处理费", "disclosure.fee_paid": "缴纳信息处理费",
    "disclosure.appeal": "登记复议诉讼", "disclosure.appeal_result": "登记复议诉讼结果",
    "disclosure.document": "生成告知书", "disclosure.sweep": "依申请公开期限巡查",
    "disclosure.view_applicant": "查看申请人信息", "disclosure.export_applicants": "导出申请人信息",
    # 年度报告
    "annual_report.import": "导入年度报告", "annual_report.build": "生成年度报告", "annual_report.publish": "发布年度报告",
    "annual_report.withdraw": "撤回年度报告", "annual_report.tasks": "生成年度报告任务",
    "annual_report.section2": "填报年度报告第二部分", "annual_report.texts": "修改年度报告文字部分",
    "annual_report.redraft": "重新生成年度报告第五部分草稿", "annual_report.finalize": "年度报告定稿并提交任务",
}

#: object type → what the log shows before the number ("整改事项 #150")
OBJECT_LABELS: dict[str, str] = {
    "user": "用户", "unit": "单位", "unit_group": "统称", "plan": "工作要点", "plan_import": "工作要点导入",
    "task": "任务", "assignment": "交办事项", "report": "进展报告", "extension": "延期申请",
    "rectification_item": "整改事项", "circular": "通报", "calendar_override": "工作日调整",
    "issuing_office": "发文机关", "job_schedule": "定时任务", "sweep": "巡查", "rubric": "考核细则",
    "assessment_version": "考核结果", "bonus": "加分", "objection": "申诉",
    "disclosure_request": "依申请公开", "annual_report": "年度报告",
}

#: field recorded in before/after → its label
FIELD_LABELS: dict[str, str] = {
    # common
    "name": "名称", "title": "标题", "text": "内容", "status": "状态", "state": "状态", "kind": "类型", "role": "角色",
    "year": "年度", "reason": "理由", "note": "备注", "comment": "意见", "number": "序号", "index": "序号",
    "created": "新建", "updated": "更新", "added": "新增", "removed": "移除", "moved": "转移",
    "created_at": "创建时间", "completed_at": "办结时间", "as_of": "截至日期", "on": "日期", "day": "日期",
    "file": "文件", "filename": "文件名", "files": "附件", "source_name": "来源文件", "sha256": "文件校验值",
    "link": "链接", "links": "链接", "key": "标识", "scope": "范围", "to": "收件人", "recipients": "收件人",
    "sent": "已发送", "body": "正文", "purpose": "用途", "failures": "失败数",
    "object_type": "对象类型", "object_id": "对象编号", "remote_addr": "地址", "action": "操作",
    # units and users
    "short_name": "简称", "aliases": "别名", "parent_id": "上级单位", "category": "考核类别", "is_active": "启用",
    "phrase": "统称", "owner_id": "所属单位", "rule_kind": "自动包含的单位类型", "rule_parent_id": "自动包含的上级单位",
    "members": "成员单位", "groups": "统称", "into": "并入", "into_id": "并入单位", "from_unit_id": "原单位",
    "username": "登录名", "display_name": "姓名", "unit_id": "单位", "unit": "单位", "units": "单位数",
    "is_active_account": "账号启用", "account_exists": "账号存在", "user_id": "用户", "cleared_failures": "清除失败次数",
    # plans
    "doc_number": "文号", "tasks": "任务数", "task": "任务", "task_id": "任务", "plan": "工作要点", "plan_id": "工作要点",
    "assignments": "交办事项数", "assignment": "交办事项", "assignment_id": "交办事项", "assignment_ids": "交办事项",
    "assignments_added": "新增交办事项", "lead": "牵头单位", "responsible": "责任单位",
    "deadline": "完成时限", "deadline_kind": "时限类型", "deadline_text": "时限原文", "due_on": "完成时限",
    "original_due_on": "原定时限", "withdrawn_at": "撤回时间", "withdrawn_reason": "撤回原因", "progress": "进度（%）",
    "source": "任务来源", "source_doc_number": "来源文号", "source_date": "来源日期", "campaign": "专项工作",
    "is_published": "公开", "folded": "合并",
    # reports and extensions
    "target_values": "指标完成值", "is_close_request": "申请办结", "is_public": "公开", "report_id": "进展报告",
    "reported": "已报送", "evidence": "佐证", "reminder_id": "催办提醒", "stage": "阶段", "repeat": "再次催办", "progress_report": "进展报告", "requested_due_on": "申请延至", "decision_reason": "审批意见",
    "previous_due_on": "原完成时限", "assignment_before": "交办事项（修改前）", "assignment_after": "交办事项（修改后）",
    # supervision
    "prefix": "文号前缀", "notices": "整改通知数", "items": "整改事项数", "overdue": "逾期", "newly_overdue": "新增逾期",
    "due_soon": "临期", "reminders_created": "新发催办提醒", "escalations_created": "新发督办通知",
    "rectifications_overdue": "整改逾期", "calendar_warning": "工作日历提示", "instances_created": "新增定期任务",
    "periods_checked": "检查的报送周期", "soon_days": "临期提醒天数", "escalate_after": "逾期转督办天数",
    "period": "报送周期", "issued_on": "印发日期", "issued_by_id": "印发人", "issuer_outside": "外单位印发",
    "code": "代字", "letter_format": "函件格式", "contact": "联系人", "cc": "抄送", "is_workday": "工作日",
    "job": "定时任务", "monthly_workday": "每月第几个工作日", "yearly_date": "每年日期", "dedupe_key": "去重标识",
    # assessment
    "chars": "字数", "indicators": "指标", "rules": "规则", "rule": "规则", "points": "分值", "version_id": "考核结果版本",
    "excluded": "剔除事项", "frozen_at": "发布时间", "item_id": "扣分事项", "result": "结果", "decided_on": "决定日期",
    "filed_on": "提出日期",
    # 年度报告
    "s1": "一、总体情况", "s5": "五、存在的主要问题及改进情况", "s6": "六、其他需要报告的事项",
    "section2": "二、主动公开政府信息情况",
    # 依申请公开
    "applicant_type": "申请人类型", "received_on": "收到日期", "confirmed_on": "确认日期", "corrected_on": "补正日期",
    "extension_days": "延长天数", "delayed_due_on": "延后的答复期限", "fee_method": "收费方式", "fee_amount": "收费金额",
    "answer_category": "答复类型", "answered_on": "答复日期", "requests": "申请数",
    # 年度报告
    "format": "格式", "is_consistent": "勾稽关系一致", "is_forced": "强制保存",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, "其他操作")


def object_label(object_type: str, object_id: int | None) -> str:
    label = OBJECT_LABELS.get(object_type, "其他对象")
    return f"{label} #{object_id}" if object_id is not None else label
