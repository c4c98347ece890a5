"""Uses the risk model for people: the HTTP API, stored athletes, guidance, batch scoring and the command line."""
