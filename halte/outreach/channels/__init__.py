"""The channels a message leaves by. Each channel module has one function,

    deliver(message: Message) -> str

that hands the message to its carrier (an SMTP server, an SMS gateway, the day's print
batch) and returns the carrier's reference for it (a Message-ID, the gateway's id, the
batch). It raises DeliveryError when the carrier refused or could not be reached;
`temporary` says whether trying again later may help (a server down: yes; an address
the carrier calls invalid: no). It never logs the address or the text."""

from importlib import import_module


class DeliveryError(Exception):
    def __init__(self, code: str, *, temporary: bool):
        # `code` is short and holds no client data: "smtp_unreachable", "gateway_401".
        super().__init__(code)
        self.code = code[:100]
        self.temporary = temporary


def deliver(message) -> str:
    """Hand `message` to the carrier of its channel."""
    module = import_module(f"{__name__}.{message.channel}")
    return module.deliver(message)
