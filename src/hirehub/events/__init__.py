"""Domain events and the transactional outbox they are recorded in."""
