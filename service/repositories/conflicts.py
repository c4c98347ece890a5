"""The one error repositories raise on purpose: a change that conflicts with what is stored (HTTP 409)."""


class Conflict(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
