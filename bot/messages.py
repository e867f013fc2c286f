"""Every user-facing sentence of the core, in one place (model: slack_bolt/logger/messages.py)."""

INTERNAL_ERROR = "Sorry, something went wrong on our side. The details are in the bot's log."
UNKNOWN_COMMAND = "Unknown command '{name}'. Try /summarize, /quote, /ask, /digest or /feeds."

SUMMARIZE_USAGE = "Give me a link or some text: /summarize https://example.com/story"
SUMMARIZE_BLOCKED = "I can't open that link: {reason}."
SUMMARIZE_FETCH_FAILED = "I couldn't fetch that page: {reason}."
SUMMARIZE_NOT_ARTICLE = "That page doesn't look like a news article ({reason})."
SUMMARIZE_TOO_SHORT = "That text is too short to summarize: give me at least two sentences."
SUMMARIZE_NO_PROSE = (
    "I found no whole sentences to summarize in that {what}: it reads like a list, headlines, "
    "or quotations with no speaker."
)

QUOTE_USAGE = "Tell me a speaker or some words: /quote Burns, or /quote arms sales"
QUOTE_NONE = "No stored quote matches '{query}'. Try a speaker's surname or a few words of it."

ASK_USAGE = "Ask about a digest item: /ask 3 what did the minister say?"
ASK_NO_CHANNEL = "This channel gets no digest, so there is nothing to ask about."
ASK_NO_DIGEST = "There is no digest in this channel yet. Post one with /digest."
ASK_NO_ITEM = "There is no item {number} in the latest digest (it has items 1-{last})."
ASK_NO_ANSWER = "I couldn't find anything about that in {where}."

DIGEST_NO_CHANNEL = (
    "This channel gets no digest. Add it under [[channels]] in the config "
    '(platform = "{platform}", target = "{target}").'
)
DIGEST_NOTHING_NEW = "Nothing new since the last digest."
DIGEST_POSTED = "Posted a digest with {count} new {stories}."
DIGEST_FAILED = "I couldn't post the digest: {reason}. The stories stay queued for the next one."

FEEDS_USAGE = "Use /feeds list, /feeds filter, /feeds add <url> [name] or /feeds remove <name>."
FEEDS_UNKNOWN_ACTION = "Unknown /feeds action '{action}'. " + FEEDS_USAGE
FEEDS_ADMIN_ONLY = "Only admins can add or remove feeds."
FEEDS_NO_CHANNEL = "This channel gets no digest, so it can't subscribe to feeds."
FEEDS_ADD_USAGE = "Give the feed's address: /feeds add https://example.com/news.rss [name]"
FEEDS_NOT_A_FEED = "That address doesn't serve a feed I can read: {reason}."
FEEDS_NAME_TAKEN = "A feed named '{name}' exists already with another address. Pick another name."
FEEDS_ADDED = "Added '{name}' ({count} stories now). Its news will be in this channel's digests."
FEEDS_REMOVE_USAGE = "Give the feed's name: /feeds remove <name> (see /feeds list)."
FEEDS_UNKNOWN = "No feed named '{name}' in this channel (see /feeds list)."
FEEDS_IN_CONFIG = "'{name}' is set in the config file; remove it there."
FEEDS_REMOVED = "Removed '{name}' from this channel."
FEEDS_NONE = "This channel follows no feeds yet. Add one with /feeds add <url>."

FILTERS_NONE = "This channel has no include or exclude filters: every story of its feeds can go in."
FILTERS_HEADER = "This channel's filters (set in the config file):"
FILTERS_INCLUDE = "Include (a story must match at least one):"
FILTERS_EXCLUDE = "Exclude (a story matching any of these is left out):"

DIGEST_ALERTS_CHANNEL = (
    "This channel gets each new story as an alert when it arrives, so there is no digest to post."
)

FEED_FAILING = (
    "Feed '{name}' has failed {failures} times in a row: {error}. {fix} newsbrief keeps trying "
    "(next try {next_try}) and will say here when it works again."
)
FEED_RECOVERED = "Feed '{name}' works again (fetched {when}); its new stories come here as before."
FIX_GONE = (
    "The address no longer serves the feed: open {url} in a browser, find the site's current feed "
    "link and put it in the config (or /feeds remove it and /feeds add the new one)."
)
FIX_REFUSED = (
    "The site refuses the bot (it may need a login or block automated readers): check {url} in "
    "a browser, and ask the site for access or use another feed."
)
FIX_RATE_LIMITED = "The site is limiting how often the bot may ask: raise poll_minutes for it."
FIX_SERVER = "The site has a server problem; this usually passes. If it lasts, check {url}."
FIX_DNS = "The host name does not resolve: check the spelling of {url} and the bot's DNS."
FIX_TLS = "The site's HTTPS certificate was refused: the site must fix it (check {url})."
FIX_TOO_BIG = "The feed is larger than the bot accepts: raise [fetch] max_bytes in the config."
FIX_FILE = "The feed file cannot be read: check its path in the config."
FIX_NOT_A_FEED = (
    "The address serves something that is not a feed (often a web page): open {url} in a "
    "browser and use the RSS or Atom link it offers."
)
FIX_UNREACHABLE = (
    "The site did not answer: check that {url} opens from the bot's machine (firewall, proxy), "
    "or raise [fetch] timeout_seconds if it is just slow."
)
FIX_OTHER = "Open {url} in a browser to see what it serves; the bot's log has the details."

# Channels set up in chat (/feeds settings | set | filter include|exclude|remove|clear | stop).
FEEDS_USAGE_CHAT = (
    "Use /feeds list, /feeds filter, /feeds settings, and (admins) /feeds add <url> [name], "
    "/feeds remove <name>, /feeds set <key> <value>, "
    "/feeds filter include|exclude|remove <words or re:pattern>, /feeds filter clear, /feeds stop."
)
CHANNEL_ADMIN_ONLY = "Only admins can change this channel's settings."
CHANNEL_IN_CONFIG = (
    "This channel is set up in the config file (channel '{name}'); change its settings there."
)
CHANNEL_CHAT_OFF = (
    "This channel gets no digest, and channels here are set up in the config file only "
    '(platform = "{platform}", target = "{target}").'
)
CHANNEL_NOT_SET_UP = (
    "This channel gets no digest yet. An admin starts one with /feeds set <key> <value> "
    "(e.g. /feeds set digest_cron 0 8 * * 1-5) or /feeds add <url>."
)
CHANNEL_SET_USAGE = (
    "Use /feeds set <key> <value> (a value of - restores the default). Keys: {keys}. "
    "Example: /feeds set digest_cron 0 8 * * 1-5"
)
CHANNEL_UNKNOWN_KEY = "'{key}' is not a channel setting. Keys: {keys}."
CHANNEL_BAD_VALUE = "That setting was not saved: {error}"
CHANNEL_SAVED = "Saved: {key} = {value}."
CHANNEL_RESET = "Saved: {key} is back to its default."
CHANNEL_SETTINGS_HEADER_CHAT = (
    "This channel's settings (set up in chat; admins change them with /feeds set <key> <value>):"
)
CHANNEL_SETTINGS_HEADER_CONFIG = "This channel's settings (from the config file, channel '{name}'):"
CHANNEL_ALL_CONFIG_FEEDS = "every feed of the config file, and those added here"
CHANNEL_NEXT_DIGEST = " (next: {when})"
CHANNEL_STOPPED = (
    "This channel's settings and its feeds added in chat are removed; no more digests here."
)
FEEDS_UNKNOWN_ACTION_CHAT = "Unknown /feeds action '{action}'. " + FEEDS_USAGE_CHAT
FILTER_USAGE = (
    "Use /feeds filter include <words or re:pattern>, /feeds filter exclude <...>, "
    "/feeds filter remove <entry> or /feeds filter clear."
)
FILTER_ADDED = "Added to the {kind} filters: {entry}"
FILTER_REMOVED = "Removed from the filters: {entry}"
FILTER_NOT_FOUND = "No filter entry '{entry}' here (see /feeds filter)."
FILTER_CLEARED = "Removed every include and exclude filter of this channel."
FILTERS_HEADER_CHAT = "This channel's filters (admins change them with /feeds filter ...):"
