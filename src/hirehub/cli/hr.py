"""``hirehub hr …``: the HR core from the command line: the organisation, candidates to hire, and workers.

Where an option names a record it takes the record's GUID ``id`` or its human code (a department number, a
position id, a candidate id, a personnel number); dates are ISO ``YYYY-MM-DD`` in the tenant's calendar.
"""

from __future__ import annotations

import typer

from hirehub.cli import hr_organisation, hr_workers

hr_app = typer.Typer(help="HR: departments, jobs, titles, positions, reasons, candidates to hire, and workers.")
hr_organisation.register(hr_app)
hr_workers.register(hr_app)
