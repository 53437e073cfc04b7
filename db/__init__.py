"""Persistence: the models, the engine and the transactions. The only package that opens sessions."""

from db.session import ensure_database, get_engine, read_session, reset_engine, write_session

__all__ = ["ensure_database", "get_engine", "read_session", "reset_engine", "write_session"]
