"""Use cases: one job per command, between the CLI and storage/domain."""
