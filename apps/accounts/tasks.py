"""Account tasks. None yet: time-boxed grants expire here once they exist."""
