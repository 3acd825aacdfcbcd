"""Domain errors that pages and the API turn into their own responses."""


class Conflict(Exception):
    """The record changed since the caller read it (stale version), or the action
    no longer fits its state."""
