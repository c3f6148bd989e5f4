"""checks: see ARCHITECTURE.md."""
