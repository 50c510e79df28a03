"""What the hub sends LinkedIn after a customer's RSC integration is enabled, as pure mapping (no I/O).

The sync (a later step) reads the HR rows of one tenant into the snapshots here — each mapping takes only what it
needs, so it can be tested without a database and re-run on any page of rows — and gets, per record, either a
:class:`~.outcomes.Mapped` payload in LinkedIn's wire format, a :class:`~.outcomes.Refused` record with every
problem that keeps it from being sent correctly (reported, never sent wrong), or a :class:`~.outcomes.Skipped` one
that is not for LinkedIn (yet).

- :mod:`.postings`: a recruiting request (with its positions and locations) → a ``simpleJobPostings`` element;
- :mod:`.candidates`: a candidate to hire and the person behind it → an ``atsCandidates`` record;
- :mod:`.applications`: a candidate's link to a recruiting request → an ``atsApplications`` record and its stage;
- :mod:`.snapshots`: HR rows (selected with its loads) → the snapshots above.

Sending them is :mod:`hirehub.linkedin.data_client`'s.
"""
