"""The demo clients: one random, believable client and the pools it is drawn from."""
