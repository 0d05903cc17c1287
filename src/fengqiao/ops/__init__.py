"""Operations: the production processes (``serve``, ``worker``), health and readiness, metrics, structured
logs without personal data, backup and restore (docs/operations.md, ADR 0013)."""
