"""One person, one member: identities across carriers, merges, suggestions and member flags.

The log keeps who-is-whom as ``merge`` and ``unmerge`` events; the store derives
``identity_member`` from them. This package writes those events for the operator —
from a mapping file (:mod:`.mapping`), from accepted suggestions (:mod:`.suggestions`), one
pair at a time (:mod:`.merging`), or as the undo of a batch (:mod:`.undo`) — and keeps
``flag`` events for bots, staff and protected members (:mod:`.flags`).
"""

from shequn.identities.flags import FLAGS, current_flags, flag_member
from shequn.identities.mapping import import_mapping, read_mapping
from shequn.identities.merging import MergePlan, Outcome, merge_pairs, unmerge_pair
from shequn.identities.refs import resolve_identity, resolve_member
from shequn.identities.suggestions import Evidence, Suggestion, apply_suggestions, suggest
from shequn.identities.undo import undo_batch
from shequn.identities.views import batches, list_members, member_view

__all__ = [
    "FLAGS",
    "Evidence",
    "MergePlan",
    "Outcome",
    "Suggestion",
    "apply_suggestions",
    "batches",
    "current_flags",
    "flag_member",
    "import_mapping",
    "list_members",
    "member_view",
    "merge_pairs",
    "read_mapping",
    "resolve_identity",
    "resolve_member",
    "suggest",
    "undo_batch",
    "unmerge_pair",
]
