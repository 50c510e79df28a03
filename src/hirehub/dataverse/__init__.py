"""The HR ↔ Dataverse binding: the ``mshr_`` entities, their write hooks and actions, registered into ``odata``."""
