"""What can go wrong talking to the contacts API, each with a message a person can act on.

Every error carries a one-line ``message`` (what happened and what to do), the HTTP status when
there was one, and the server's own words (``detail``) when it sent any. None of them ever holds
a credential: messages are built from statuses, hosts and the server's reply, never from headers.
"""

from __future__ import annotations

from enum import Enum


class ErrorKind(Enum):
    AUTH = "auth"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not found"
    RATE_LIMITED = "rate limited"
    SERVER = "server"
    NETWORK = "network"
    BAD_RESPONSE = "bad response"
    REJECTED = "rejected"
    CONFIG = "config"


EXIT_CODES: dict[ErrorKind, int] = {
    ErrorKind.CONFIG: 2,
    ErrorKind.NOT_FOUND: 2,  # a wrong base URL or account id: the configuration is at fault
    ErrorKind.REJECTED: 2,  # the request itself is wrong (HTTP 400, 422): asking again cannot help
    ErrorKind.AUTH: 3,
    ErrorKind.FORBIDDEN: 3,
    ErrorKind.RATE_LIMITED: 4,
    ErrorKind.SERVER: 4,
    ErrorKind.NETWORK: 4,
    ErrorKind.BAD_RESPONSE: 5,
}


class LiveDeskError(Exception):
    """Base of every error this tool reports to a person."""

    kind: ErrorKind = ErrorKind.CONFIG

    def __init__(self, message: str, *, detail: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.status = status

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.kind]

    @property
    def retryable(self) -> bool:
        return self.kind in {ErrorKind.RATE_LIMITED, ErrorKind.SERVER, ErrorKind.NETWORK}

    def __str__(self) -> str:
        if self.detail and self.detail not in self.message:
            return f"{self.message} (server said: {self.detail})"
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class ConfigError(LiveDeskError):
    kind = ErrorKind.CONFIG


class ApiError(LiveDeskError):
    """A request that did not give a usable page."""

    kind = ErrorKind.SERVER


class AuthError(ApiError):
    kind = ErrorKind.AUTH


class ForbiddenError(ApiError):
    kind = ErrorKind.FORBIDDEN


class NotFoundError(ApiError):
    kind = ErrorKind.NOT_FOUND


class RateLimitedError(ApiError):
    kind = ErrorKind.RATE_LIMITED

    def __init__(
        self,
        message: str,
        *,
        detail: str = "",
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, detail=detail, status=status)
        self.retry_after = retry_after


class ServerError(ApiError):
    kind = ErrorKind.SERVER


class NetworkError(ApiError):
    kind = ErrorKind.NETWORK


class BadResponseError(ApiError):
    kind = ErrorKind.BAD_RESPONSE


class RejectedError(ApiError):
    """The server refused the request as asked (HTTP 400, 422 and the like), or it could not
    be sent at all; the same request would fail the same way, so it is not tried again."""

    kind = ErrorKind.REJECTED


class TrustError(NetworkError):
    """The server's certificate was refused: asking again will not change it."""

    @property
    def retryable(self) -> bool:
        return False


class ProxyRefusedError(NetworkError):
    """The proxy, not the API, refused: wrong proxy credentials (407) or a tunnel it will not
    make are final; a proxy that could not reach the server (502, 503, 504) may next time."""

    @property
    def retryable(self) -> bool:
        return self.status in {502, 503, 504}
