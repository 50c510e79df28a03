"""The HR ↔ Dataverse binding: the ``mshr_`` entities, their write hooks and the ``mshr_Hire`` action.

:func:`binding` describes HR's tables to the generic OData layer; the application factory hands it to
:func:`hirehub.odata.routes.install`. Nothing registers itself at import time.
"""

from hirehub.dataverse.binding import binding

__all__ = ["binding"]
