"""Relevance benchmark: the project against plain Whoosh and SQLite FTS5 on graded queries."""
