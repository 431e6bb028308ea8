"""Who and what a Slack export names: accounts from ``users.json``, conversations from the listings.

Both maps are bounded by the workspace (its members and channels), never by its messages,
so they are held in memory for the whole import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shequn.sources._slack_archive import LISTINGS, SlackArchive
from shequn.sources._slack_schema import Conversation, Profile, User, decode

__all__ = ["ConversationInfo", "Directory", "load_directory"]

#: Slack's own bot posts reminders and tombstones; exports rarely list it in users.json.
SLACKBOT = "USLACKBOT"
_USER_LISTINGS = ("users.json", "org_users.json")  # org_users.json on Enterprise Grid


@dataclass(frozen=True)
class ConversationInfo:
    native_id: str
    name: str | None
    chat_type: str


@dataclass
class Directory:
    """Names and bot marks of accounts, and conversations by folder name."""

    names: dict[str, str] = field(default_factory=lambda: {SLACKBOT: "Slackbot"})
    bots: set[str] = field(default_factory=lambda: {SLACKBOT})
    by_folder: dict[str, ConversationInfo] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)
    _by_fold: dict[str, str] = field(default_factory=dict)

    def add_user(self, user: User) -> None:
        uid = user.id
        self._by_fold[uid.casefold()] = uid
        name = _display_name(user.real_name, user.profile) or user.name
        if name:
            self.names[uid] = name
        if user.is_bot:
            self.bots.add(uid)

    def canonical(self, raw_id: str) -> str:
        """The account id as ``users.json`` spells it.

        Slack ids are upper case, but anonymised exports (10 Academy) lower-case the ids
        inside ``<@u…>`` mentions; matching without case keeps one identity per account.
        """
        return self._by_fold.get(raw_id.casefold()) or raw_id.upper()

    def name_of(self, uid: str, snapshot: Profile | None = None) -> str | None:
        """The account's name from users.json, else from the message's profile snapshot."""
        return self.names.get(uid) or _display_name(None, snapshot)


def _display_name(real_name: str | None, profile: Profile | None) -> str | None:
    """``real_name``, else the profile's display or real name; blanks count as absent."""
    for candidate in (real_name, profile and profile.display_name, profile and profile.real_name):
        if candidate and candidate.strip():
            return candidate.strip()
    return None


def load_directory(archive: SlackArchive) -> Directory:
    """Read the users and the conversation listings of an export."""
    path = str(archive.path)
    directory = Directory()
    for listing in _USER_LISTINGS:
        data = archive.top(listing)
        if data is not None:
            for user in decode(data, list[User], path, listing):
                directory.add_user(user)
    for listing, chat_type in LISTINGS.items():
        data = archive.top(listing)
        if data is None:
            continue
        for conv in decode(data, list[Conversation], path, listing):
            # Slack names a DM's folder by its id (a DM has no name), every other one by its name.
            folder = conv.name if conv.name and chat_type != "dm" else conv.id
            directory.by_folder[folder] = ConversationInfo(conv.id, conv.name, chat_type)
            if conv.name:
                directory.channel_names[conv.id] = conv.name
    return directory
