"""Journey services, the intake writes: what the mutation run found untested."""
