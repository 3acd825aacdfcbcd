"""What the contact pages let higher apps contribute (see halte/core/extensions.py).

The client card, the workplace and the timeline show what higher apps know (the journey's
stage, its work queues, its steps). Each such app registers its providers in its
AppConfig.ready(); with none registered the pages show contact's own part alone.
"""

from halte.clients.extensions import ClientSectionProvider
from halte.core.extensions import ExtensionPoint

# The client card's parts, of the same shape as the client page's.
CARD_SECTIONS: ExtensionPoint[ClientSectionProvider] = ExtensionPoint(
    "contact: client card sections"
)
