"""What the audit log lets higher apps contribute (see halte/core/extensions.py).

The log keeps client ids; the page shows and filters by client numbers, which the
clients app knows. It registers both look-ups in its AppConfig.ready(). Without them the
page shows ids and a client number filter finds no client.
"""

from collections.abc import Callable, Collection

from halte.core.extensions import ExtensionPoint

# client ids -> {id: client number}, one query, identifiers only (no client content).
ClientNumbers = Callable[[Collection[int]], dict[int, int]]
# client number -> client id, or None for no such client.
ClientIdForNumber = Callable[[int], int | None]

CLIENT_NUMBERS: ExtensionPoint[ClientNumbers] = ExtensionPoint("audit: client numbers")
CLIENT_ID_FOR_NUMBER: ExtensionPoint[ClientIdForNumber] = ExtensionPoint(
    "audit: client id for a number"
)


def client_numbers(client_ids: Collection[int]) -> dict[int, int]:
    numbers: dict[int, int] = {}
    for provider in CLIENT_NUMBERS.providers:
        numbers.update(provider(client_ids))
    return numbers


def client_id_for_number(client_number: int) -> int | None:
    for provider in CLIENT_ID_FOR_NUMBER.providers:
        client_id = provider(client_number)
        if client_id is not None:
            return client_id
    return None
