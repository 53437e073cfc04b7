"""One way to cut a list into pages: the page object every table returns, and its SQL and list cuts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any, TypeVar

from sqlalchemy import func, select

DEFAULT_PAGE_SIZE = 50

T = TypeVar("T")


def page_count(total: int, page_size: int | None) -> int:
    """How many pages ``total`` rows make (at least one; one when not paginated)."""
    return max(1, ceil(total / page_size)) if page_size else 1


def clamp(page: int, total: int, page_size: int | None) -> int:
    """The page asked for, brought back between 1 and the last page."""
    return min(max(1, int(page)), page_count(total, page_size))


def offset(page: int, page_size: int) -> int:
    return (max(1, int(page)) - 1) * page_size


def count_rows(session: Any, query: Any) -> int:
    """How many rows a select returns (counted in the database, its ORDER BY dropped)."""
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def paginate(query: Any, page: int, page_size: int | None) -> Any:
    """A SQLAlchemy select limited to one page (unchanged when ``page_size`` is None)."""
    return query.limit(page_size).offset(offset(page, page_size)) if page_size else query


def slice_rows(rows: Sequence[T], page: int, page_size: int | None) -> Sequence[T]:
    """The same cut on a list already in memory."""
    if not page_size:
        return rows
    start = offset(page, page_size)
    return rows[start : start + page_size]


@dataclass(frozen=True)
class Page:
    rows: Any  # a pandas DataFrame, or a list of typed rows
    total: int
    page: int = 1
    page_size: int | None = DEFAULT_PAGE_SIZE

    @property
    def pages(self) -> int:
        return page_count(self.total, self.page_size)
