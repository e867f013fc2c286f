"""Every user-facing (and operator-facing) string of the Slack platform, in one place.

Model: slack_bolt/logger/messages.py. Strings that end up in Slack are mrkdwn; anything that
interpolates outside text must escape it first (see slack_render.escape_mrkdwn).
"""

from __future__ import annotations

# Shown when a command crashed inside the bot (the traceback goes to the log, not to the user).
INTERNAL_ERROR = "Sorry, something went wrong while handling that. Please try again in a moment."

# Shown for an @mention outside a digest's thread; {ask} is the configured /ask command.
MENTION_HELP = (
    "Hi! Mention me *in a digest's thread* to ask about its stories, e.g. "
    "`@newsbrief what did Burns say?`. Elsewhere, use `{ask} <item number> <question>`."
)

# Shown for an @mention in a digest thread with nothing after the mention.
MENTION_EMPTY = (
    "Ask me something about this digest, e.g. `@newsbrief who said what about the vote?`"
)

# Digest rendering.
DIGEST_EMPTY = "Nothing new since the last digest."
DIGEST_CONTINUED = "{title} ({part}/{total})"
ALSO_COVERED_BY = "Also covered by: "
AND_MORE = " and {count} more"
SOURCES = "Sources: "
ERROR_PREFIX = ":warning: "

# Operator hints (log only).
HINT_NOT_IN_CHANNEL = (
    "invite the bot with /invite @newsbrief in channel {channel}, and check that the channel id in "
    'config.toml (target = "C0123...") is the channel\'s id, not its name'
)
HINT_ARCHIVED = "channel {channel} is archived: unarchive it or change its target in config.toml"
# {env}: the environment variable the config names for that token ([slack] *_env).
HINT_AUTH = "check {env} (a bot token, xoxb-...) and that the app is installed"
HINT_APP_TOKEN = (
    "check {env} (an app-level token, xapp-..., with the connections:write scope) "
    "and that Socket Mode is enabled for the app"
)
HINT_SCOPE = "reinstall the app from slack_manifest.yaml so it has the scopes it needs"
HINT_CONNECTION = (
    "could not reach the Slack Web API at {api_url}; check the network or [slack] api_url"
)
HINT_OTHER = "Slack refused the message ({error}); see the log for details"

# PlatformError reasons (short, safe to show a user).
REASON_CONNECTION = "could not reach Slack"

LOG_REFUSED = "Slack refused %s: %s. Hint: %s"
LOG_COMMAND_CRASHED = "Slack command %s crashed"
LOG_MENTION_CRASHED = "Slack mention handling crashed"
LOG_USERS_INFO_FAILED = "users.info failed for %s (%s); treating the user as a non-admin"
LOG_RESPOND_FAILED = "Sending a reply through response_url failed: %s"
LOG_STARTED = "Slack platform started (%s mode)"
LOG_HISTORY_UNAVAILABLE = (
    "Slack: cannot read %s's history (%s), so a message Slack took just before a crash may be "
    "posted again after the restart. Hint: reinstall the app from slack_manifest.yaml "
    "(scopes channels:history and groups:history)"
)
LOG_TOO_MANY_PARTS = "A /digest reply needs %d messages; response_url allows 5, the rest is dropped"

ERR_APP_TOKEN_REQUIRED = (
    "Socket Mode needs an app-level token ({app_env}, xapp-...); "
    'or set [slack] mode = "http" with {secret_env}'
)
ERR_SIGNING_SECRET_REQUIRED = "HTTP mode needs {secret_env} to verify requests from Slack"
ERR_BAD_MODE = 'Slack mode must be "socket" or "http", not {mode!r}'
ERR_AUTH_FAILED = "Slack rejected the bot token ({error})"
LOG_IMAGES_DROPPED = (
    "Slack could not fetch a story picture for %s; the message is posted again without pictures"
)

# Many workspaces (install = "oauth").
ERR_OAUTH_NEEDS_HTTP = (
    'Installing in many workspaces (install = "oauth") needs mode = "http": Slack sends each '
    "workspace's requests to the app's public URL"
)
ERR_OAUTH_SETTINGS_REQUIRED = 'install = "oauth" needs the app\'s client id and secret'
ERR_BAD_INSTALL = 'Slack install must be "single" or "oauth", not {install!r}'
REASON_NOT_INSTALLED = "newsbrief is not installed in the Slack workspace of {channel}"
HINT_NOT_INSTALLED = (
    "channel {channel} has no installed workspace (the app was uninstalled or its token "
    "revoked): someone there installs it again from {install_path}"
)
HINT_AUTH_OAUTH = (
    "the workspace's bot token was refused: the app was probably uninstalled there; "
    "it can be installed again from {install_path}"
)
LOG_WORKSPACE_REMOVED_FAILED = "Forgetting the channels of Slack workspace %s failed"
