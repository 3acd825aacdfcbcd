"""The client-journey part of the JSON API: the care offer, referrals and their
intake, the waiting list, care episodes and a client's journey.

Endpoints only translate: they check the role and scopes, fetch through
journey.queries (which check the client's scope), write through journey.services,
and name the API's fields in the services' errors.
"""

from ninja import Router

from halte.journey.api import care, referrals, waiting

router = Router()
router.add_router("", referrals.router)
router.add_router("", waiting.router)
router.add_router("", care.router)
