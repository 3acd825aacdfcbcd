"""The demo journeys: referrals, intakes, waiting lists and care."""
