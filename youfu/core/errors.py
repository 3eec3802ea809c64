"""The one domain error type. Services raise it; the API and the pages map it once.

Shape (STYLE.md "Edges"): a code, the field it concerns (or None), a human message, and for imports
the row number in the file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"code": self.code, "field": self.field, "message": self.message}
        if self.row is not None:
            data["row"] = self.row
        return data


class ApplicationError(Exception):
    """A request that breaks a business rule. Nothing was written when it is raised."""

    def __init__(
        self,
        message: str,
        code: str = "invalid",
        field: str | None = None,
        details: list[ErrorDetail] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.details = details or [ErrorDetail(code=code, message=str(message), field=field)]

    def __str__(self) -> str:
        return str(self.message)


class PermissionDeniedError(ApplicationError):
    """The actor may not see or change this object (outside their subtree, or role lacks the right)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message=message, code="permission_denied", field=field)
