"""report: see ARCHITECTURE.md."""
