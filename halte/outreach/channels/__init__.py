"""The channels a message leaves by. Each channel module has one function,

    deliver(message: Message) -> str

that hands the message to its carrier (an SMTP server, an SMS gateway, the day's print
batch) and returns the carrier's reference for it (a Message-ID, the gateway's id, the
batch). It raises DeliveryError when the carrier refused or could not be reached;
`temporary` says whether trying again later may help (a server down: yes; an address
the carrier calls invalid: no), `maybe_sent` that it may have left all the same.
It never logs the address or the text."""

from importlib import import_module


class DeliveryError(Exception):
    def __init__(self, code: str, *, temporary: bool, maybe_sent: bool = False):
        # `code` is short and holds no client data: "smtp_unreachable", "gateway_401".
        # `maybe_sent`: the carrier may have taken it before the answer was lost (a
        # timeout while reading the answer): the message becomes `uncertain`, and is
        # not tried again without a person deciding.
        super().__init__(code)
        self.code = code[:100]
        self.temporary = temporary
        self.maybe_sent = maybe_sent


def deliver(message) -> str:
    """Hand `message` to the carrier of its channel."""
    module = import_module(f"{__name__}.{message.channel}")
    return module.deliver(message)
