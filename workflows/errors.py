"""Typed errors of the workflow engine. Each carries a stable machine-readable `code`."""

from __future__ import annotations

from django.utils.translation import gettext as _


class WorkflowError(Exception):
    code = "workflow_error"

    def __init__(self, message: str = "", **extra):
        super().__init__(message or self.code)
        self.message = message or self.code
        self.extra = extra

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": self.message, **self.extra}


class CaseNotFound(WorkflowError):
    """The case does not exist or lies outside the actor's units (indistinguishable on purpose)."""

    code = "not_found"


class Forbidden(WorkflowError):
    code = "forbidden"


class StaleVersion(WorkflowError):
    code = "stale_version"

    def __init__(self, current_version: int):
        super().__init__(
            _("The case was changed by someone else (now version %(v)d); reload it.")
            % {"v": current_version},
            current_version=current_version,
        )
        self.current_version = current_version


class TransitionNotAllowed(WorkflowError):
    code = "transition_not_allowed"

    def __init__(self, message: str, allowed_actions: list[str]):
        super().__init__(message, allowed_actions=allowed_actions)
        self.allowed_actions = allowed_actions


class RuleViolation(WorkflowError):
    """A legal guard refused the action (e.g. `dialogue_required`, `limitation_expired`)."""

    def __init__(self, code: str, message: str, allowed_actions: list[str] | None = None):
        self.code = code
        self.allowed_actions = allowed_actions
        extra = {"allowed_actions": allowed_actions} if allowed_actions is not None else {}
        super().__init__(message, **extra)

    def with_allowed_actions(self, allowed_actions: list[str]) -> RuleViolation:
        return RuleViolation(self.code, self.message, allowed_actions)


class ValidationFailed(WorkflowError):
    code = "invalid"

    def __init__(self, errors: dict[str, list[str]], codes: dict[str, list[str]] | None = None):
        # `codes`: the machine-readable code of each message where the caller has one; the other
        # messages are `invalid`. Without `codes`, none are given.
        extra = {}
        if codes is not None:
            extra["codes"] = {
                k: codes[k] if len(codes.get(k, ())) == len(v) else ["invalid"] * len(v)
                for k, v in errors.items()
            }
        super().__init__("Invalid input.", errors=errors, **extra)
        self.errors = errors


class TooManyAttempts(WorkflowError):
    """Too many wrong lookup codes from one client or for one reference (workflows.citizen)."""

    code = "throttled"
