"""Workbooks for leaders and assessors: 工作台账, 逾期清单, 考核结果, a unit's own assignments."""
