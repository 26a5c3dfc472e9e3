"""使用说明: one help page per role, with the screenshots the browser journeys take."""
