"""Actor registry: UCDP actors plus curated aliases, name changes and coalitions.

>>> from accordwatch.actors import ActorRegistry
>>> ActorRegistry.default().resolve("GSIM").actor_id
'ucdp:6716'
"""

from accordwatch.actors._acled import AcledName, resolve_acled, split_acled_name
from accordwatch.actors._model import KINDS, Actor, Alias, Membership
from accordwatch.actors._normalize import normalize
from accordwatch.actors.registry import ActorRegistry, UnknownActor

__all__ = [
    "KINDS",
    "AcledName",
    "Actor",
    "ActorRegistry",
    "Alias",
    "Membership",
    "UnknownActor",
    "normalize",
    "resolve_acled",
    "split_acled_name",
]
