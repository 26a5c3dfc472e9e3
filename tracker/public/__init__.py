"""The public progress page of published plans (no login)."""
