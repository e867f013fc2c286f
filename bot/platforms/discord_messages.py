"""Every user- and operator-facing string of the Discord platform, in one place."""

from __future__ import annotations

# Slash command names and descriptions (Discord shows these in the command picker; max 100 chars).
CMD_SUMMARIZE = "Summarize a web page or a piece of text"
CMD_SUMMARIZE_ARG = "A link (https://...) or the text itself"
CMD_QUOTE = "Find quotes by a speaker or containing some words"
CMD_QUOTE_ARG = "A speaker's name or words from the quote"
CMD_ASK = "Ask a question about an item of the latest digest"
CMD_ASK_ITEM = "The digest item's number (leave out in a digest's thread to ask all its stories)"
CMD_ASK_QUESTION = "Your question, e.g. what did the minister say?"
CMD_DIGEST = "Post a digest of what is new for this channel now"
CMD_FEEDS = "Manage this channel's feeds"
CMD_FEEDS_LIST = "List this channel's feeds"
CMD_FEEDS_FILTER = "Show this channel's include and exclude filters"
CMD_FEEDS_ADD = "Subscribe this channel to a feed (needs Manage Server)"
CMD_FEEDS_ADD_ARG = "The feed's URL"
CMD_FEEDS_REMOVE = "Unsubscribe this channel from a feed (needs Manage Server)"
CMD_FEEDS_REMOVE_ARG = "The feed's URL or name, as /feeds list shows it"
CMD_FEEDS_FILTER_ACTION = "Change the filters (needs Manage Server); leave out to show them"
CMD_FEEDS_FILTER_ENTRY = "Words or re:pattern to include, exclude or remove"
CMD_FEEDS_SETTINGS = "Show this channel's digest settings"
CMD_FEEDS_SET = "Change a digest setting of this channel (needs Manage Server)"
CMD_FEEDS_SET_KEY = "The setting (as in the config file's [[channels]])"
CMD_FEEDS_SET_VALUE = "Its new value, or - for the default (e.g. 0 8 * * 1-5, Europe/Berlin)"
CMD_FEEDS_STOP = "Stop this channel's digests and forget its settings (needs Manage Server)"

# Replies the platform itself makes (the core words everything else).
NEEDS_MANAGE_SERVER = (
    "Only members with the Manage Server permission can change feeds. "
    "Ask a server admin to run this command."
)
ASK_NEEDS_ITEM = (
    "Which story? Give its number as `item` (the list shows the latest digest's stories), "
    "or ask in a digest's follow-up thread to ask about all of its stories."
)
NOT_IN_SERVER = "Use this command in a server channel where newsbrief posts digests."
INTERNAL_ERROR = "Something went wrong while answering. Please try again in a minute."
EMPTY_REPLY = "Done."

# Digest rendering.
THREAD_NAME = "Digest {date} — follow-ups"
DIGEST_CONTINUED = "{title} (continued, {part}/{total})"
ALSO_COVERED_BY = "Also covered by: {names}"
AND_MORE = " and {count} more"
SOURCES_FIELD = "Sources"
ELLIPSIS = "…"

# Operator log lines and PlatformError reasons/hints.
HINT_PERMISSIONS = "give the bot View Channel, Send Messages and Embed Links in {channel}"
HINT_THREADS = "give the bot Create Public Threads and Send Messages in Threads in {channel}"
HINT_RETRY = "Discord refused or failed the request; newsbrief retries at the next digest"
REASON_FORBIDDEN = "Discord refused the post to {channel}: missing permission or access"
REASON_NOT_FOUND = "Discord channel {channel} does not exist or the bot cannot see it"
REASON_HTTP = "Discord answered {status} to the post to {channel}: {text}"
# Shown to whoever ran /digest (after "I couldn't post the digest: ") and logged for a scheduled
# digest: Discord strips the embeds of a bot without Embed Links, leaving bare titles.
REASON_NO_EMBED_LINKS = (
    "newsbrief can't post embeds in {channel}: give it the Embed Links permission there"
)
HINT_EMBED_LINKS = (
    "give the bot's role Embed Links in Server Settings → Roles, or in {channel}'s "
    "Edit Channel → Permissions if the channel overrides it; the stories stay queued"
)
LOG_DELETE_FAILED = "Could not delete message %s (posted without its embeds) in %s: %s"
REASON_NETWORK = "Could not reach Discord to post to {channel}: {error}"
REASON_RATE_LIMITED = "Discord rate-limited the post to {channel} for {seconds:.0f} s"
REASON_BAD_TOKEN = "Discord rejected the bot token"
HINT_BAD_TOKEN = "check DISCORD_TOKEN (Developer Portal → your application → Bot → Reset Token)"
REASON_LOGIN = "Could not log in to Discord: {error}"
REASON_GATEWAY = "Could not connect to the Discord gateway at {gateway} ({error})."
HINT_GATEWAY = (
    "Check the network, any firewall or proxy between newsbrief and Discord, and [discord] "
    "gateway_url if you set it."
)
REASON_NOT_STARTED = "The Discord platform is not connected (call start() first)"
LOG_POST_REFUSED = "Discord post to %s refused: %s (hint: %s)"
LOG_HISTORY_UNAVAILABLE = (
    "Discord: cannot read the history of %s (%s), so a digest message Discord took just before "
    "a crash may be posted again after the restart (hint: give the bot Read Message History)"
)
LOG_THREAD_FAILED = "Could not open the follow-up thread in %s: %s (hint: %s)"
LOG_COMMAND_CRASHED = "Command /%s crashed in channel %s"
LOG_SYNCED = "Synced %d slash commands %s"
LOG_SYNC_FAILED = "Could not register the slash commands %s: %s (hint: %s)"
LOG_GLOBAL_KEPT = (
    "No server in [discord] guild_ids took the slash commands; the global ones are left in place"
)
LOG_GUILD_CLEARED = (
    "Removed the slash commands an earlier guild_ids setting left in guild %s (they are global now)"
)
LOG_GUILD_CLEAR_FAILED = "Could not check or remove the guild slash commands in guild %s: %s"
LOG_GUILDS_NOT_CHECKED = (
    "The bot is in %d servers; only the first %d were checked for commands left by an earlier "
    "guild_ids setting (list them in guild_ids once to replace them, or remove them in Discord)"
)
HINT_SYNC = (
    "invite the bot with both scopes, bot and applications.commands "
    "(newsbrief discord invite-url), and check [discord] guild_ids"
)
REASON_NO_APP_ID = "No Discord application id: set DISCORD_TOKEN or pass --app-id"
HINT_NO_APP_ID = "the Application ID is on the app's General Information page"
