"""The leaders' dashboard: status at a glance, unit ranking, sections, trend, overdue summary."""
