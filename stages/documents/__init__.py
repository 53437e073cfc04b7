"""Documents the application generates (the convention de stage as PDF)."""
