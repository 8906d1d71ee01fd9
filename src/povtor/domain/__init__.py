"""Domain rules: pure functions over plain values (no CLI, no database)."""
