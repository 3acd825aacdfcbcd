"""Journey services, the waiting writes: what the mutation run found untested."""
