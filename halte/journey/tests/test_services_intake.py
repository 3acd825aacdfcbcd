"""Journey services: what the mutation run (make mutate, "journey services") found untested in the intake writes."""
