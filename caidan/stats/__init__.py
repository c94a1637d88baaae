"""Statistics and integrity flags (DOMAIN.md §3.7)."""
