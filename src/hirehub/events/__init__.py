"""Domain events: typed facts, the transactional outbox they are written to, and their dispatch by an explicit map.

An event is a plain dataclass (:class:`DomainEvent`) that knows nothing of the database; :mod:`.outbox` writes it
in the caller's transaction and :mod:`.dispatch` hands it, typed again, to the handlers the composition root
routes its type to.
"""

from hirehub.events.event import DomainEvent, EventTypeError, decode, encode
from hirehub.events.outbox import OutboxEvent, OutboxSession, record

__all__ = ["DomainEvent", "EventTypeError", "OutboxEvent", "OutboxSession", "decode", "encode", "record"]
