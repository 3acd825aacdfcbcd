"""The letter channel: a letter is handed over by putting it in the day's print
batch; the printing itself happens from the page "Brieven om te printen"
(halte.outreach.letter_views), the next working morning."""

from halte.outreach.channels import DeliveryError
from halte.outreach.letter_services import BatchClosed, put_in_batch
from halte.outreach.letters import address_problem


def deliver(message) -> str:
    """Put the letter in today's batch; the reference names the batch ("batch:2026-11-30")."""
    problem = address_problem(message.address)
    if problem:
        raise DeliveryError(problem, temporary=False)
    try:
        batch = put_in_batch(message)
    except BatchClosed:
        # Not in the daily rhythm (the job closes only days gone by); a batch of today
        # closed by hand: a later try finds tomorrow's batch open.
        raise DeliveryError("letter_batch_closed", temporary=True) from None
    return batch.reference
