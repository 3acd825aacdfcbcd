"""Journey services, the care writes: what the mutation run found untested."""
