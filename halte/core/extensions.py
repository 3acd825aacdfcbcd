"""Extension points: how a lower app shows what a higher app knows, without importing it.

Imports run one way (ARCHITECTURE.md: core ← audit ← clients ← contact ← journey). When a
lower app's page needs something only a higher app knows (the client page's journey, the
timeline's journey steps, the audit log's client numbers), the lower app declares an
`ExtensionPoint` with the type of callable it will call, and calls whatever is
registered. The higher app registers its callable in its `AppConfig.ready()`. With
nothing registered the lower app still works: it shows its page without that part.

Registration happens once, at start-up; the points are read-only while requests run.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

Provider = TypeVar("Provider")


class ExtensionPoint(Generic[Provider]):
    """A named list of providers (callables of type `Provider`), in registration order."""

    def __init__(self, name: str):
        self.name = name
        self._providers: list[Provider] = []

    def __repr__(self) -> str:
        return f"<ExtensionPoint {self.name}: {len(self._providers)} provider(s)>"

    def register(self, provider: Provider) -> Provider:
        """Add a provider; registering the same one twice (a second `ready()` in
        tests) keeps one."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    @property
    def providers(self) -> tuple[Provider, ...]:
        return tuple(self._providers)

    @contextmanager
    def replaced(self, *providers: Provider) -> Iterator[None]:
        """For tests: only `providers` (none: an empty point) while the block runs."""
        kept = self._providers
        self._providers = list(providers)
        try:
            yield
        finally:
            self._providers = kept
