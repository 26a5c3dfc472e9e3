"""Supervision: the daily sweep, reminders and escalation, the look-back, notices, circulars, the scheduler."""
