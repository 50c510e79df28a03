"""What one ``$batch`` may cost: rows read and bytes answered, across all of its parts.

Dataverse caps a batch at 1,000 requests and a page at 5,000 rows, which still lets one request ask for five
million rows. A budget spent as parts run turns that into a refusal of the read that crosses it (and of the
batch's remaining parts) in Dataverse's error shape, instead of memory and minutes spent on an answer nobody
should get. Writes are bounded by the request body already, and a write that has run is answered as it ran. A
single request needs no budget: its page size bounds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hirehub.odata.errors import DataverseError, over_budget

ADVICE = "split the batch, or narrow its queries with $top, $select and $filter"


@dataclass
class Budget:
    """The rows and bytes a batch has left; spending past either raises the Web API's refusal."""

    rows: int
    bytes: int

    def spend_rows(self, count: int) -> None:
        self.rows -= count
        if self.rows < 0:
            raise over_budget(f"The $batch reads more rows than this service answers in one batch; {ADVICE}.")

    @property
    def overspent(self) -> bool:
        return self.rows < 0

    def can_send(self, size: int) -> bool:
        """Whether ``size`` more bytes fit; those that do are spent."""
        if size > self.bytes:
            return False
        self.bytes -= size
        return True

    @staticmethod
    def bytes_refusal() -> DataverseError:
        return over_budget(f"The $batch answer is larger than this service sends for one batch; {ADVICE}.")
