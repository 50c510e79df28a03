"""The OData v4 protocol as Dataverse speaks it: ``$metadata``, query options, paging, ETags, errors, ``$batch``.

Generic: the tables, their write hooks and bound actions come from a :class:`hirehub.odata.binding.Binding`
handed to :func:`hirehub.odata.routes.install`; this package knows no domain of its own.
"""
